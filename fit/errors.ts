/**
 * The fit module's own error: a code each transport maps once (server/api/errors.ts to an HTTP
 * status, the CLI to an exit code) and a finer `reason` that tests and the CLI can match on
 * without parsing the message. Not a ServiceError, so that fit/ stays free of server imports.
 */

/** The subset of the server's ErrorCode that fit errors use (the server maps them by name). */
export type FitErrorCode = "bad_request" | "not_found";

export type FitErrorReason =
  | "file_unreadable"
  | "gguf_bad_magic"
  | "gguf_unsupported_version"
  | "gguf_truncated"
  | "gguf_corrupt"
  | "hf_config_missing"
  | "hf_config_invalid"
  | "safetensors_invalid"
  | "model_unknown"
  | "facts_insufficient"
  | "invalid_options";

export class FitError extends Error {
  /** What an API answer carries besides the message: the reason and what it concerns. */
  readonly details: { reason: FitErrorReason } & Record<string, unknown>;

  constructor(
    readonly reason: FitErrorReason,
    message: string,
    details?: Record<string, unknown>,
    readonly code: FitErrorCode = reason === "file_unreadable" || reason === "hf_config_missing" || reason === "model_unknown" ? "not_found" : "bad_request",
  ) {
    super(message);
    this.details = { reason, ...details };
    this.name = "FitError";
  }
}
