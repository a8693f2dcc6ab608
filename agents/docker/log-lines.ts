/**
 * Container logs as lines. Without a TTY, Docker multiplexes stdout and stderr into frames
 * (1 byte stream, 3 zero bytes, 4 bytes big-endian length, payload); these pure helpers undo that
 * (cutting the text into lines is lib/line-splitter.ts's), and scrub secrets out of what is sent anywhere.
 */

/** Frames → text. A buffer that is not framed (a TTY container) is returned as text. */
export function demuxDockerLog(buf: Buffer): string {
  let out = "";
  let at = 0;
  while (at + 8 <= buf.length) {
    const stream = buf[at]!;
    if (stream > 2 || buf[at + 1] !== 0 || buf[at + 2] !== 0 || buf[at + 3] !== 0) return out + buf.subarray(at).toString("utf8");
    const len = buf.readUInt32BE(at + 4);
    out += buf.subarray(at + 8, at + 8 + len).toString("utf8");
    at += 8 + len;
  }
  return at < buf.length ? out + buf.subarray(at).toString("utf8") : out;
}

/** Replaces every occurrence of each secret (≥ 4 characters) with [redacted]. */
export function redact(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join("[redacted]");
  return out;
}
