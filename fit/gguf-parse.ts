/**
 * Pure GGUF (v2/v3) header parser over the first bytes of a file: metadata key/values and tensor
 * infos, never the weights. The caller hands in a prefix of the file and its full size; when the
 * header runs past the prefix the parser throws NeedMoreBytes and the caller retries with more.
 * Long arrays (a 150k-token vocabulary) are skipped, not decoded: only their length is kept.
 */
import { FitError } from "./errors";
import { ggmlTypeById, tensorBytes } from "./ggml-types";

export type GgufScalar = number | boolean | string;
export interface GgufLongArray {
  readonly kind: "long-array";
  readonly itemType: string;
  readonly length: number;
}
export type GgufValue = GgufScalar | GgufValue[] | GgufLongArray;

export interface GgufTensorInfo {
  name: string;
  /** ggml order: shape[0] is the contiguous (row) dimension. */
  shape: number[];
  typeId: number;
  /** ggml type name, or `unknown(ID)` for a type this build does not know. */
  type: string;
  /** Offset from the start of the data section. */
  offset: number;
  /** Null when the type is unknown or the shape does not fit its block size. */
  bytes: number | null;
}

export interface GgufHeader {
  version: number;
  metadata: Record<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute file offset where tensor data starts. */
  dataOffset: number;
  /** How many header bytes were parsed (what reading the facts cost). */
  headerBytes: number;
}

/** Arrays longer than this are kept as their length only. */
const MAX_KEPT_ARRAY = 4096;
const MAX_COUNT = 10_000_000;
const MAGIC = 0x46554747; // "GGUF" little-endian

const VALUE_TYPES = ["u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"] as const;
const FIXED_SIZES: Record<string, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, u64: 8, i64: 8, f64: 8 };

export class NeedMoreBytes extends Error {
  constructor(readonly atLeast: number) {
    super(`need at least ${atLeast} bytes`);
  }
}

class Cursor {
  private readonly view: DataView;
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });
  pos = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly fileSize: number,
    private readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number, what: string): void {
    const end = this.pos + n;
    if (end <= this.bytes.length) return;
    if (end > this.fileSize) {
      throw new FitError("gguf_truncated", `${this.file}: GGUF header is truncated: ${what} at byte ${this.pos} needs ${n} bytes, but the file ends at ${this.fileSize}`, { file: this.file });
    }
    throw new NeedMoreBytes(end);
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(what: string): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.corrupt(`${what} is ${v}, beyond any real file`);
    return Number(v);
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  string(what: string): string {
    const len = this.u64(`${what} length`);
    this.need(len, what);
    const s = this.decoder.decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }

  scalar(type: string, what: string): GgufScalar {
    if (type === "string") return this.string(what);
    const size = FIXED_SIZES[type];
    if (size === undefined) throw this.corrupt(`${what} has unknown value type ${type}`);
    this.need(size, what);
    const p = this.pos;
    this.pos += size;
    const v = this.view;
    switch (type) {
      case "u8": return v.getUint8(p);
      case "i8": return v.getInt8(p);
      case "u16": return v.getUint16(p, true);
      case "i16": return v.getInt16(p, true);
      case "u32": return v.getUint32(p, true);
      case "i32": return v.getInt32(p, true);
      case "f32": return v.getFloat32(p, true);
      case "bool": return v.getUint8(p) !== 0;
      case "u64": return Number(v.getBigUint64(p, true));
      case "i64": return Number(v.getBigInt64(p, true));
      default: return v.getFloat64(p, true);
    }
  }

  corrupt(reason: string): FitError {
    return new FitError("gguf_corrupt", `${this.file}: GGUF header is corrupt: ${reason}`, { file: this.file, at: this.pos });
  }
}

function valueType(c: Cursor, what: string): string {
  const id = c.u32(`${what} type`);
  const t = VALUE_TYPES[id];
  if (t === undefined) throw c.corrupt(`${what} has unknown value type id ${id}`);
  return t;
}

function readValue(c: Cursor, type: string, what: string, depth: number): GgufValue {
  if (type !== "array") return c.scalar(type, what);
  if (depth > 4) throw c.corrupt(`${what} nests arrays too deep`);
  const itemType = valueType(c, `${what} item`);
  const length = c.u64(`${what} length`);
  if (length > MAX_COUNT * 100) throw c.corrupt(`${what} claims ${length} items`);
  if (length > MAX_KEPT_ARRAY) {
    const size = FIXED_SIZES[itemType];
    if (size !== undefined) c.skip(size * length, what);
    else for (let i = 0; i < length; i++) readValue(c, itemType, what, depth + 1);
    return { kind: "long-array", itemType, length };
  }
  const out: GgufValue[] = [];
  for (let i = 0; i < length; i++) out.push(readValue(c, itemType, what, depth + 1));
  return out;
}

export function parseGgufHeader(bytes: Uint8Array, fileSize: number, file: string): GgufHeader {
  const c = new Cursor(bytes, fileSize, file);
  // Says nothing about what the file holds instead: the server reads paths on its own disk for
  // /api/fit, and its answer must not become a way to read the server's other files.
  if (fileSize < 4 || c.u32("magic") !== MAGIC) {
    throw new FitError("gguf_bad_magic", `${file}: not a model file (a GGUF file begins with the bytes "GGUF"; this one does not)`, { file });
  }
  const version = c.u32("version");
  if (version !== 2 && version !== 3) {
    throw new FitError("gguf_unsupported_version", `${file}: GGUF version ${version} is not supported (only 2 and 3)`, { file, version });
  }
  const tensorCount = c.u64("tensor count");
  const kvCount = c.u64("metadata count");
  if (tensorCount > MAX_COUNT || kvCount > MAX_COUNT) throw c.corrupt(`implausible counts (${tensorCount} tensors, ${kvCount} keys)`);

  const metadata: Record<string, GgufValue> = {};
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key #${i}`);
    metadata[key] = readValue(c, valueType(c, key), key, 0);
  }

  const tensors: GgufTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(`tensor name #${i}`);
    const nDims = c.u32(`${name} dims`);
    if (nDims < 1 || nDims > 4) throw c.corrupt(`tensor ${name} has ${nDims} dimensions`);
    const shape: number[] = [];
    for (let d = 0; d < nDims; d++) shape.push(c.u64(`${name} dim ${d}`));
    const typeId = c.u32(`${name} type`);
    const offset = c.u64(`${name} offset`);
    const t = ggmlTypeById(typeId);
    tensors.push({ name, shape, typeId, type: t?.name ?? `unknown(${typeId})`, offset, bytes: t ? tensorBytes(t, shape) : null });
  }

  const alignment = typeof metadata["general.alignment"] === "number" ? metadata["general.alignment"] : 32;
  if (alignment <= 0 || (alignment & (alignment - 1)) !== 0) throw c.corrupt(`general.alignment ${alignment} is not a power of two`);
  const headerBytes = c.pos;
  const dataOffset = Math.ceil(headerBytes / alignment) * alignment;
  checkDataFits(tensors, dataOffset, fileSize, file);
  return { version, metadata, tensors, alignment, dataOffset, headerBytes };
}

/** A download cut short keeps a whole header: the tensor table tells how long the file must be. */
function checkDataFits(tensors: GgufTensorInfo[], dataOffset: number, fileSize: number, file: string): void {
  let need = dataOffset;
  let last = "";
  for (const t of tensors) {
    const end = dataOffset + t.offset + (t.bytes ?? 0);
    if (end > need) {
      need = end;
      last = t.name;
    }
  }
  if (need > fileSize) {
    throw new FitError(
      "gguf_truncated",
      `${file}: file is truncated: tensor ${last} ends at byte ${need} but the file has ${fileSize} bytes (${((100 * fileSize) / need).toFixed(1)} % of it; re-download?)`,
      { file, expectedBytes: need, actualBytes: fileSize },
    );
  }
}
