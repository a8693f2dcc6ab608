import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import { FitError } from "../../fit/errors";
import { ServiceError, type ErrorCode } from "../core/errors";
import { createLogger } from "../../lib/logger";

const log = createLogger("api");

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400, unauthorized: 401, forbidden: 403, not_found: 404, conflict: 409, payload_too_large: 413, unavailable: 503,
};

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** The one place where errors become HTTP responses. */
export function toErrorResponse(err: unknown, c: Context): Response {
  if (err instanceof ServiceError || err instanceof FitError) return c.json(errorBody(err.code, err.message, err.details), STATUS[err.code]);
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    const first = details[0];
    return c.json(errorBody("bad_request", first ? `${first.path || "body"}: ${first.message}` : "invalid request", details), 400);
  }
  log.error({ err, path: c.req.path }, "unhandled API error");
  return c.json(errorBody("internal", "internal error (see the server log)"), 500);
}
