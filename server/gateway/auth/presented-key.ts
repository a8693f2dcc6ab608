/** The API key a gateway request presents: read here, at the edge, and handed to the core as a string. */
import type { IncomingHttpHeaders } from "node:http";

/** `Authorization: Bearer KEY` or `x-api-key: KEY` (Anthropic SDKs send the latter). */
export function presentedKey(headers: IncomingHttpHeaders): string | null {
  const auth = headers.authorization;
  if (auth && auth.length > 7 && auth.slice(0, 7).toLowerCase() === "bearer ") return auth.slice(7).trim() || null;
  const x = headers["x-api-key"];
  return typeof x === "string" && x ? x.trim() : null;
}
