/**
 * The first entry of a tar stream (what Docker's archive API answers for a path in a container):
 * its type and the first bytes of its content. Pure, over a growing prefix of the stream; PAX and
 * GNU long-name headers (added for long or non-ASCII names) are skipped.
 */
export interface TarEntryHead {
  type: "file" | "dir" | "symlink" | "other";
  size: number;
  /** Up to the bytes asked for (fewer when the entry is shorter). */
  head: Buffer;
}

const BLOCK = 512;

const octal = (buf: Buffer, from: number, len: number) => parseInt(buf.subarray(from, from + len).toString("latin1").replace(/\0.*$/s, "").trim() || "0", 8);

/** The entry, or "more" while the prefix is too short to tell; null for an empty archive. */
export function firstTarEntry(buf: Buffer, want: number): TarEntryHead | "more" | null {
  let at = 0;
  for (;;) {
    if (buf.length < at + BLOCK) return "more";
    const header = buf.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return null;
    const size = octal(header, 124, 12);
    if (!Number.isFinite(size) || size < 0) return null;
    const flag = String.fromCharCode(header[156]!);
    if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
      at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
      continue;
    }
    const type = flag === "0" || flag === "\0" || flag === "7" ? "file" : flag === "5" ? "dir" : flag === "2" ? "symlink" : "other";
    const need = type === "file" ? Math.min(want, size) : 0;
    if (buf.length < at + BLOCK + need) return "more";
    return { type, size, head: Buffer.from(buf.subarray(at + BLOCK, at + BLOCK + need)) };
  }
}

// Go's os.FileMode bits, as Docker's path stat reports them.
const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;

/** Docker's X-Docker-Container-Path-Stat header (base64 JSON) as a content-less entry. */
export function entryFromStat(header: string | undefined): TarEntryHead {
  let stat: { size?: unknown; mode?: unknown } = {};
  try {
    stat = JSON.parse(Buffer.from(header ?? "", "base64").toString("utf8")) as typeof stat;
  } catch {
    // An unreadable header still means the path exists (the daemon answered 200).
  }
  const mode = typeof stat.mode === "number" ? stat.mode : 0;
  const type = Math.floor(mode / GO_MODE_DIR) % 2 === 1 ? "dir" : Math.floor(mode / GO_MODE_SYMLINK) % 2 === 1 ? "symlink" : header ? "file" : "other";
  return { type, size: typeof stat.size === "number" ? stat.size : 0, head: Buffer.alloc(0) };
}
