/**
 * safetensors headers: an 8-byte little-endian length, then that many bytes of JSON naming each
 * tensor's dtype, shape and byte range. Only those bytes are read, never the tensors.
 */
import { open } from "node:fs/promises";
import { z } from "zod";
import { FitError } from "./errors";

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: number;
}

/** Headers beyond this are not safetensors files we trust (real ones are well under 10 MB). */
const MAX_HEADER = 100 << 20;

const Entry = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

const bad = (file: string, why: string) => new FitError("safetensors_invalid", `${file}: not a readable safetensors file: ${why}`, { file });

/** Pure: parse a header JSON text; `dataBytes` is the file size after the header (to catch truncation). */
export function parseSafetensorsHeader(json: string, file: string, dataBytes: number): SafetensorsTensor[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw bad(file, "header is not JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw bad(file, "header is not a JSON object");
  const out: SafetensorsTensor[] = [];
  let end = 0;
  for (const [name, value] of Object.entries(raw)) {
    if (name === "__metadata__") continue;
    const e = Entry.safeParse(value);
    if (!e.success) throw bad(file, `tensor ${name} has no dtype/shape/data_offsets`);
    const [from, to] = e.data.data_offsets;
    if (to < from) throw bad(file, `tensor ${name} has a negative byte range`);
    end = Math.max(end, to);
    out.push({ name, dtype: e.data.dtype, shape: e.data.shape, bytes: to - from });
  }
  if (end > dataBytes) {
    throw new FitError("safetensors_invalid", `${file}: file is truncated: tensors need ${end} bytes of data, the file has ${dataBytes}`, { file, expectedBytes: end, actualBytes: dataBytes });
  }
  return out;
}

export async function readSafetensorsHeader(file: string): Promise<SafetensorsTensor[]> {
  let fh;
  try {
    fh = await open(file, "r");
  } catch (err) {
    throw new FitError("file_unreadable", `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file });
  }
  try {
    const { size } = await fh.stat();
    const lenBuf = Buffer.alloc(8);
    if ((await fh.read(lenBuf, 0, 8, 0)).bytesRead < 8) throw bad(file, `only ${size} bytes long`);
    const len = lenBuf.readBigUInt64LE(0);
    if (len > BigInt(MAX_HEADER) || Number(len) > size - 8) throw bad(file, `header length ${len} does not fit a ${size}-byte file`);
    const header = Buffer.alloc(Number(len));
    await fh.read(header, 0, header.length, 8);
    return parseSafetensorsHeader(header.toString("utf8"), file, size - 8 - header.length);
  } finally {
    await fh.close();
  }
}

/** Float dtypes count one parameter per element; packed integer tensors (GPTQ/AWQ) do not. */
export const FLOAT_DTYPES = new Set(["F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2", "F8_E8M0"]);
