import type { Context } from "hono";
import { ServiceError } from "../core/errors";

/** The request body as JSON, or a 400 that says so. Each route validates the shape with zod. */
export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new ServiceError("bad_request", "the request body must be JSON");
  }
}
