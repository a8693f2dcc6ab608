/**
 * The live fleet on every server: the server holding a node's agent sends each change of that
 * node's view to the others (batched over a few milliseconds, several views per message while
 * they fit a NOTIFY payload); the others apply it in memory, so that every server's /ws/live shows
 * every agent. A view counts only from the node's holder: a late view from the server it left is
 * dropped. Removals travel too (the rows are gone already; the others forget the node).
 */
import { z } from "zod";
import type { NodeView } from "../../protocol/live";
import { nodeFactsSchema } from "../../protocol/agent-wire";
import { driverInfoSchema, gpuProcessSchema, gpuSchema, hostStatsSchema, SNAPSHOT_LIMITS } from "../../protocol/telemetry";
import type { Logger } from "../../lib/logger";
import type { Fleet } from "../core/fleet";
import type { Bus } from "./bus";
import { MAX_INLINE_BYTES } from "./bus-envelope";
import type { Presence } from "./presence";

/** Views wait this long to share a message with others (the live view's latency budget is 250 ms). */
const BATCH_MS = 25;
const MAX_VIEWS_PER_MESSAGE = 200;
/** Room left for the envelope around a batch. */
const BATCH_BYTES = MAX_INLINE_BYTES - 300;

const text = (max: number) => z.string().max(max);
const nodeViewSchema = z.object({
  id: text(64).min(1),
  name: text(128).min(1),
  online: z.boolean(),
  lastSeen: z.number().nullable(),
  agentVersion: text(64).nullable(),
  facts: nodeFactsSchema.nullable(),
  driver: driverInfoSchema.nullable(),
  host: hostStatsSchema.nullable(),
  gpus: z.array(gpuSchema).max(SNAPSHOT_LIMITS.gpus),
  processes: z.array(gpuProcessSchema).max(SNAPSHOT_LIMITS.processes),
  warnings: z.array(text(SNAPSHOT_LIMITS.warning)).max(SNAPSHOT_LIMITS.warnings),
});

const viewsSchema = z.object({
  views: z.array(z.object({ view: nodeViewSchema, sampleTs: z.number().nullable() })).min(1).max(MAX_VIEWS_PER_MESSAGE),
});
const removedSchema = z.object({ name: text(128).min(1) });

export interface FleetSync {
  /** Tells the other servers a node was removed (after its rows are gone). */
  removed(name: string): Promise<void>;
  close(): void;
}

export function syncFleet(deps: { bus: Bus; fleet: Fleet; presence: Presence; holdsLocally(name: string): boolean; onForget?(name: string, id: string | null): void; log: Logger }): FleetSync {
  const { bus, fleet, presence, log } = deps;
  const queued = new Map<string, { view: NodeView; sampleTs: number | null }>();
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;

  const flush = () => {
    timer = null;
    const items = [...queued.values()];
    queued.clear();
    let batch: typeof items = [];
    let bytes = 0;
    const send = () => {
      if (batch.length === 0) return;
      // A view that cannot be sent now is not worth keeping: the next sample brings a newer one.
      bus.publish("fleet.views", { views: batch }).catch((err: Error) => {
        if (failures++ % 100 === 0) log.debug({ err: err.message }, "could not send live views to the other servers");
      });
      batch = [];
      bytes = 0;
    };
    for (const item of items) {
      // Bytes, as NOTIFY counts them: a process or GPU name outside ASCII takes several each.
      const size = Buffer.byteLength(JSON.stringify(item)) + 1;
      if (batch.length > 0 && (bytes + size > BATCH_BYTES || batch.length >= MAX_VIEWS_PER_MESSAGE)) send();
      batch.push(item);
      bytes += size;
    }
    send();
  };

  const offFleet = fleet.subscribe((view, sampleTs, origin) => {
    if (origin !== "local" || !presence.hasPeers()) return;
    const prev = queued.get(view.name);
    // Keep the newest sample time of the batch: the browser measures from it.
    queued.set(view.name, { view, sampleTs: sampleTs ?? prev?.sampleTs ?? null });
    timer ??= setTimeout(flush, BATCH_MS);
  });

  const offViews = bus.subscribe("fleet.views", viewsSchema, ({ views }, from) => {
    for (const { view, sampleTs } of views) {
      if (deps.holdsLocally(view.name)) continue;
      const holder = presence.holderOf(view.name);
      if (holder !== null && holder !== from) continue;
      fleet.applyRemote(view as NodeView, sampleTs);
    }
  });

  const offRemoved = bus.subscribe("node.removed", removedSchema, ({ name }) => {
    const id = fleet.idOf(name);
    fleet.forget(name);
    presence.forget(name);
    deps.onForget?.(name, id);
  });

  return {
    removed: (name) => bus.publish("node.removed", { name }),
    close() {
      if (timer) clearTimeout(timer);
      flush();
      offFleet();
      offViews();
      offRemoved();
    },
  };
}
