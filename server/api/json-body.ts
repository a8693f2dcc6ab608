import type { Context } from "hono";
import { ServiceError } from "../core/errors";
import { readBody } from "../http/body-limit";

/**
 * The request body as JSON, or a 400 that says so (a 413 past the body limit). Each route validates
 * the shape with zod.
 */
export async function jsonBody(c: Context, limit?: number): Promise<unknown> {
  const bytes = await readBody(c, limit);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ServiceError("bad_request", "the request body must be JSON");
  }
}
