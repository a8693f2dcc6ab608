/**
 * Domain errors carry a code and a message a person can act on. Transports map them once
 * (api/errors.ts); any other error is logged and answered without its message.
 */
export type ErrorCode = "bad_request" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "payload_too_large" | "unavailable";

export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

/**
 * A request to an agent that went unanswered (timed out, or the connection dropped): unlike a
 * refusal, the agent may still carry it out, so callers must not assume nothing happened.
 */
export class AgentUnansweredError extends ServiceError {
  constructor(message: string) {
    super("unavailable", message);
    this.name = "AgentUnansweredError";
  }
}
