/**
 * Live log streams the server asked for (`logs -f`, the dashboard): container lines batched into
 * `deployment.log` events (one event per 50 ms, not one per line), ended with `deployment.log.end`.
 */
import { DEPLOY_EVENTS } from "../../protocol/deployments";
import type { Logger } from "../../lib/logger";
import type { DockerAdapter } from "./docker-adapter";
import { redact } from "./log-lines";

const FLUSH_MS = 50;
const MAX_BATCH = 500;
/** More concurrent streams than any dashboard needs; a leak stops here. */
const MAX_STREAMS = 64;

export function createLogFollows(deps: { docker: DockerAdapter; emit(event: string, payload: unknown): void; log: Logger }) {
  const streams = new Map<string, () => void>();

  const batcher = (streamId: string, secrets: readonly string[]) => {
    let pending: string[] = [];
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (pending.length === 0) return;
      deps.emit(DEPLOY_EVENTS.log, { streamId, lines: pending });
      pending = [];
    };
    return {
      push(lines: string[]) {
        pending.push(...lines.map((l) => redact(l, secrets)));
        if (pending.length >= MAX_BATCH) flush();
        else timer ??= setTimeout(flush, FLUSH_MS);
      },
      flush,
    };
  };

  return {
    async start(streamId: string, containerId: string, tail: number, secrets: readonly string[]) {
      if (streams.size >= MAX_STREAMS) throw new Error(`too many log streams open (${MAX_STREAMS})`);
      const batch = batcher(streamId, secrets);
      const stop = await deps.docker.followLogs(containerId, tail, (lines) => batch.push(lines), (reason) => {
        batch.flush();
        streams.delete(streamId);
        deps.emit(DEPLOY_EVENTS.logEnd, { streamId, reason });
      });
      streams.set(streamId, stop);
    },
    /** A stream of lines already known (a failed deploy without a container), ended at once. */
    replay(streamId: string, lines: string[], reason: string) {
      if (lines.length) deps.emit(DEPLOY_EVENTS.log, { streamId, lines });
      deps.emit(DEPLOY_EVENTS.logEnd, { streamId, reason });
    },
    stop(streamId: string) {
      streams.get(streamId)?.();
      streams.delete(streamId);
      return { stopped: true };
    },
    stopAll() {
      for (const stop of streams.values()) stop();
      streams.clear();
    },
  };
}
