/**
 * Fit errors carry a code that each transport maps once (server/api/errors.ts, the CLI) with a
 * finer `reason` that tests and the CLI can match on without parsing the message.
 */

/** The server's ErrorCodes that fit uses (fit/ imports nothing from the server). */
type ErrorCode = "bad_request" | "not_found";
export type FitErrorCode = ErrorCode;

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
  readonly code: ErrorCode;
  readonly details: { reason: FitErrorReason } & Record<string, unknown>;
  constructor(
    readonly reason: FitErrorReason,
    message: string,
    details?: Record<string, unknown>,
    code: ErrorCode = reason === "file_unreadable" || reason === "hf_config_missing" || reason === "model_unknown" ? "not_found" : "bad_request",
  ) {
    super(message);
    this.code = code;
    this.details = { reason, ...details };
    this.name = "FitError";
  }
}
