import { redactSecrets } from "../protocol/errors";

/**
 * Upstream error bodies go to the client untouched, unless one echoes a backend's key (some APIs
 * quote the key they rejected): then, and only then, the body is rewritten with the key masked.
 */
export function redactBody(body: Buffer, secrets: readonly string[]): Buffer {
  if (!secrets.some((s) => s.length >= 4 && body.includes(s))) return body;
  return Buffer.from(redactSecrets(body.toString("utf8"), secrets));
}
