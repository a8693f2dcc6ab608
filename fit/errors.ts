/**
 * Fit errors are ServiceErrors (so transports map them like every other domain error) with a
 * finer `reason` that tests and the CLI can match on without parsing the message.
 */
import { ServiceError, type ErrorCode } from "../server/core/errors";

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

export class FitError extends ServiceError {
  constructor(
    readonly reason: FitErrorReason,
    message: string,
    details?: Record<string, unknown>,
    code: ErrorCode = reason === "file_unreadable" || reason === "hf_config_missing" || reason === "model_unknown" ? "not_found" : "bad_request",
  ) {
    super(code, message, { reason, ...details });
    this.name = "FitError";
  }
}
