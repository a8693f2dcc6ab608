/**
 * A load that did not end in a ready deployment: why (no room, the engine failed, too slow, stopped
 * meanwhile, node away) and the engine's last log lines. The REST API answers it 503 with these as
 * details; the gateway answers every request that waited for the load with them, in its protocol.
 */
import { ServiceError } from "../errors";

export type LoadFailure = "no_room" | "failed" | "timeout" | "stopped" | "unavailable";

export class LoadError extends ServiceError {
  constructor(readonly deployment: string, readonly why: LoadFailure, message: string, readonly logs: readonly string[] = []) {
    super("unavailable", message, { deployment, cause: why, logs });
    this.name = "LoadError";
  }
}

/** The message with the engine's last lines, for clients that only show a message. */
export function withLogTail(err: LoadError, lines = 10): string {
  const tail = err.logs.slice(-lines);
  return tail.length ? `${err.message}\n--- last log lines of ${err.deployment} ---\n${tail.join("\n")}` : err.message;
}
