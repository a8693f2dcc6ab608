/**
 * Reads a GGUF file's header (metadata and tensor table) with positional reads of a growing
 * prefix, never the weights: a 40 GB file costs the few MB of its header.
 */
import { open, type FileHandle } from "node:fs/promises";
import { FitError } from "./errors";
import { ggufFacts } from "./gguf-facts";
import { NeedMoreBytes, parseGgufHeader, type GgufHeader } from "./gguf-parse";
import type { ModelFacts } from "./model-facts";

export type { GgufHeader, GgufTensorInfo, GgufValue } from "./gguf-parse";

const FIRST_READ = 1 << 20;
/** A header past this is not a model we can use (the largest real vocabularies take ~20 MB). */
const MAX_HEADER = 512 << 20;

async function readPrefix(fh: FileHandle, length: number): Promise<Uint8Array> {
  const buf = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await fh.read(buf, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buf.subarray(0, filled);
}

function unreadable(file: string, err: unknown): FitError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : String((err as Error).message ?? err);
  return new FitError("file_unreadable", `${file}: cannot read GGUF file (${why})`, { file, errno: code });
}

export async function readGgufHeader(file: string): Promise<GgufHeader> {
  let fh: FileHandle;
  try {
    fh = await open(file, "r");
  } catch (err) {
    throw unreadable(file, err);
  }
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw unreadable(file, Object.assign(new Error("not a regular file"), { code: "EISDIR" }));
    const size = stat.size;
    let want = Math.min(size, FIRST_READ);
    for (;;) {
      const bytes = await readPrefix(fh, want);
      try {
        return parseGgufHeader(bytes, size, file);
      } catch (err) {
        if (!(err instanceof NeedMoreBytes)) throw err;
        if (want >= MAX_HEADER) {
          throw new FitError("gguf_corrupt", `${file}: GGUF header is larger than ${MAX_HEADER >> 20} MiB; not a model file this reader trusts`, { file });
        }
        want = Math.min(size, MAX_HEADER, Math.max(want * 2, err.atLeast + FIRST_READ));
      }
    }
  } catch (err) {
    if (err instanceof FitError) throw err;
    throw unreadable(file, err);
  } finally {
    await fh.close();
  }
}

export async function readGgufFacts(file: string): Promise<ModelFacts> {
  return ggufFacts(await readGgufHeader(file), file);
}
