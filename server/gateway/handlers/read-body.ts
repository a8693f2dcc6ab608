/** Reads a client's request body into one Buffer, with a size limit (a 413 names it). */
import type { IncomingMessage } from "node:http";

/** Claude Code's long sessions with images run to a few MB; this leaves ample room. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export class ClientBodyError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "ClientBodyError";
  }
}

export function readClientBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new ClientBodyError(413, `the request body is larger than ${limit / 1024 / 1024} MiB`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(new ClientBodyError(413, `the request body is larger than ${limit / 1024 / 1024} MiB`));
        return;
      }
      chunks.push(c);
    });
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once("error", () => reject(new ClientBodyError(400, "the request body could not be read")));
  });
}
