/**
 * Dashboard sessions on every server: each remembers a session it found valid for a few seconds,
 * so a sign-out (or "sign out everywhere") made on one server is told to the others, which forget
 * it at once instead of at their next check. Only the stored id (a hash) travels, never the token.
 */
import { z } from "zod";
import type { Logger } from "../../lib/logger";
import type { Sessions } from "../core/sessions";
import type { Bus } from "./bus";

const endedSchema = z.object({ id: z.string().regex(/^[0-9a-f]{64}$/).nullable() });

export function syncSessions(deps: { bus: Bus; sessions: Pick<Sessions, "onEnded" | "forget">; log: Logger }): () => void {
  const { bus, sessions, log } = deps;
  const offEnded = sessions.onEnded((id) => {
    bus.publish("session.ended", { id }).catch((err: Error) => log.warn({ err: err.message }, "could not tell the other servers about a sign-out (they notice within seconds)"));
  });
  const offBus = bus.subscribe("session.ended", endedSchema, ({ id }) => sessions.forget(id));
  // Messages may have been missed meanwhile: every remembered session is checked again.
  const offResync = bus.onResync(() => sessions.forget(null));
  return () => {
    offEnded();
    offBus();
    offResync();
  };
}
