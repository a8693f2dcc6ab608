/**
 * Failover alerts with several servers: the leader evaluates them, but gateway requests are served
 * by every server. Each server tells the others when the target serving a model changes in its own
 * traffic (a failover, and the way back): a few messages per change, never one per request. The
 * leader's alerts hear those beside its own requests.
 */
import { z } from "zod";
import type { Logger } from "../../lib/logger";
import type { FinishedRequest } from "../core/alerts/trackers";
import type { Bus } from "./bus";

const MAX_MODELS = 1000;
const text = (max: number) => z.string().max(max);
const servedSchema = z.object({
  model: text(200).min(1),
  target: text(400).min(1),
  ts: z.number().int().nonnegative(),
  hops: z.array(z.object({ from: text(400), to: text(400).nullable(), why: text(500) })).max(16),
});

export interface FinishedSource {
  onFinished(listener: (r: FinishedRequest) => void): () => void;
}

export function shareFailovers(deps: { bus: Bus; gateway: FinishedSource; log: Logger }): FinishedSource & { close(): void } {
  const { bus, log } = deps;
  const serving = new Map<string, string>();
  const listeners = new Set<(r: FinishedRequest) => void>();

  const offLocal = deps.gateway.onFinished((r) => {
    if (r.status >= 400 || !r.target || !r.modelAsked) return;
    if (serving.get(r.modelAsked) === r.target) return;
    if (!serving.has(r.modelAsked) && serving.size >= MAX_MODELS) return;
    serving.set(r.modelAsked, r.target);
    const hops = r.hops.slice(0, 16).map((h) => ({ from: h.from.slice(0, 400), to: h.to?.slice(0, 400) ?? null, why: h.why.slice(0, 500) }));
    bus.publish("gateway.served", { model: r.modelAsked.slice(0, 200), target: r.target.slice(0, 400), ts: r.ts, hops })
      .catch((err: Error) => log.debug({ err: err.message }, "could not tell the other servers who serves a model"));
  });
  const offBus = bus.subscribe("gateway.served", servedSchema, (s) => {
    const r: FinishedRequest = { modelAsked: s.model, target: s.target, status: 200, ts: s.ts, hops: s.hops };
    for (const l of listeners) l(r);
  });

  return {
    onFinished(listener) {
      const off = deps.gateway.onFinished(listener);
      listeners.add(listener);
      return () => {
        off();
        listeners.delete(listener);
      };
    },
    close() {
      offLocal();
      offBus();
    },
  };
}
