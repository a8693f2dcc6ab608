/**
 * On-demand deployments on every server: each tells the others which of them it has requests in
 * flight for and when it last served each (server/core/ondemand/activity.ts decides when; it is
 * never once per request), so that idle unloads on the leader and evictions anywhere respect
 * requests on any server. Request times reach the database through each server's own periodic write.
 */
import { z } from "zod";
import type { Logger } from "../../lib/logger";
import type { OnDemandActivity } from "../core/ondemand";
import type { Bus } from "./bus";

/** More on-demand deployments than any fleet registers; a larger report is refused whole. */
const MAX_IDS = 4096;
const id = z.string().min(1).max(64);
const reportSchema = z.object({
  busy: z.array(id).max(MAX_IDS),
  last: z.array(z.tuple([id, z.number().int().nonnegative().max(8.64e15)])).max(MAX_IDS),
});

export function syncOnDemand(deps: { bus: Bus; activity: OnDemandActivity; log: Logger }): () => void {
  const { bus, activity, log } = deps;
  const offLocal = activity.listen((report) => {
    bus.publish("ondemand.activity", report).catch((err: Error) => log.warn({ err: err.message }, "could not tell the other servers about on-demand requests (idle unloads there may not see them)"));
  });
  const offBus = bus.subscribe("ondemand.activity", reportSchema, (report, from) => activity.hear(from, report));
  return () => {
    offLocal();
    offBus();
  };
}
