/**
 * Gateway keys and dashboard routes on every server. They are cached in memory so that routing a
 * request never waits on the database; a change made on one server tells the others to reload
 * (a revoked key stops working everywhere within a round trip through the database). Key usage is
 * counted by each server into the shared table; the key list is reread now and then, so every
 * server shows the sum.
 */
import { z } from "zod";
import type { Logger } from "../../lib/logger";
import type { Gateway } from "../gateway/gateway";
import type { Bus } from "./bus";

const changedSchema = z.object({ what: z.enum(["keys", "routes"]) });
const USAGE_REREAD_MS = 5000;

export function syncGateway(deps: { bus: Bus; gateway: Gateway; log: Logger }): () => void {
  const { bus, gateway, log } = deps;
  const reload = (what: "keys" | "routes") =>
    (what === "keys" ? gateway.keys.reload() : gateway.reloadRoutes()).catch((err: Error) => log.warn({ what, err: err.message }, "could not reload gateway settings changed on another server"));

  const offChange = gateway.onChange((what) => {
    bus.publish("gateway.changed", { what }).catch((err: Error) => log.warn({ what, err: err.message }, "could not tell the other servers about a gateway change"));
  });
  const offBus = bus.subscribe("gateway.changed", changedSchema, ({ what }) => void reload(what));
  const offResync = bus.onResync(() => {
    void reload("keys");
    void reload("routes");
  });
  const timer = setInterval(() => void gateway.keys.reload().catch(() => {}), USAGE_REREAD_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    offChange();
    offBus();
    offResync();
  };
}
