/**
 * Reads a JSON request body's top-level `model` and `stream` without parsing the whole document, and
 * rewrites `model` in place: pass-through requests keep every other byte the client sent (no
 * re-encoding, no float or key-order drift) and cost one scan instead of JSON.parse + stringify.
 *
 * The scan walks bytes, tracking string state and depth; JSON's structural characters are ASCII, so
 * UTF-8 multi-byte sequences can never be mistaken for them. Anything unusual (not an object,
 * malformed, bytes after it) returns null and the caller falls back to JSON.parse for a proper error.
 *
 * What the gateway decides on (the key's allow-list, the route, the relay) must be what the backend
 * reads, so keys are compared as a JSON parser sees them (`"mod\u0065l"` is `model`), and a body
 * with `model` or `stream` twice is refused: parsers disagree on which one wins (most take the last),
 * and `{"model":"small", …, "mod\u0065l":"big"}` passed a key limited to `small` on to `big`. So is
 * `"MODEL"`: Go's parser (Ollama's) reads it as `model`, Python's and C++'s do not.
 */
import { ProtocolError } from "./protocol/errors";

export interface BodyFields {
  /** The model string, or undefined when absent (null when present but not a string). */
  model: string | null | undefined;
  /** Byte span of the model's value (quotes included), for rewriting. */
  modelSpan: [number, number] | null;
  stream: boolean;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN_OBJ = 0x7b, CLOSE_OBJ = 0x7d, OPEN_ARR = 0x5b, CLOSE_ARR = 0x5d, COLON = 0x3a, COMMA = 0x2c;
const MODEL = Buffer.from('"model"');
const STREAM = Buffer.from('"stream"');

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** End (exclusive) of the string starting at `i` (a quote), or -1. */
function stringEnd(buf: Buffer, i: number): number {
  for (let j = i + 1; j < buf.length; j++) {
    const c = buf[j]!;
    if (c === BACKSLASH) j++;
    else if (c === QUOTE) return j + 1;
  }
  return -1;
}

/** End (exclusive) of the value starting at `i`, skipping nested structures; -1 when malformed. */
export function valueEnd(buf: Buffer, i: number): number {
  const c = buf[i];
  if (c === QUOTE) return stringEnd(buf, i);
  if (c === OPEN_OBJ || c === OPEN_ARR) {
    let depth = 0;
    for (let j = i; j < buf.length; j++) {
      const d = buf[j]!;
      if (d === QUOTE) {
        const e = stringEnd(buf, j);
        if (e < 0) return -1;
        j = e - 1;
      } else if (d === OPEN_OBJ || d === OPEN_ARR) depth++;
      else if (d === CLOSE_OBJ || d === CLOSE_ARR) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < buf.length && buf[j] !== COMMA && buf[j] !== CLOSE_OBJ && !isSpace(buf[j]!)) j++;
  return j > i ? j : -1;
}

/** No escapes and no control characters between `from` and `to`: JSON.parse would return the bytes as they are. */
function plainString(buf: Buffer, from: number, to: number): boolean {
  for (let j = from; j < to; j++) if (buf[j] === BACKSLASH || buf[j]! < 0x20) return false;
  return true;
}

/** Unescaped keys that can fold to `model` or `stream` are 5 to 7 bytes long (`ſ` takes two); escaped ones are read in full. */
const foldable = (len: number) => len >= 5 && len <= 7;

/**
 * Case as Go's encoding/json folds it (the backend of Ollama, LocalAI): `MODEL`, `Model` and
 * `ſtream` (U+017F) fill the same field as `model`/`stream`, the last one winning.
 */
const folded = (key: string) => key.toUpperCase().toLowerCase();

/**
 * Which of the keys we read a top-level key is, as a JSON parser reads it (escapes decoded). A key
 * that only some backends read as one of them (another case) is refused.
 */
function keyOf(buf: Buffer, start: number, end: number): "model" | "stream" | null | undefined {
  const len = end - start;
  if (len === MODEL.length && buf.compare(MODEL, 0, len, start, end) === 0) return "model";
  if (len === STREAM.length && buf.compare(STREAM, 0, len, start, end) === 0) return "stream";
  let key: unknown;
  if (plainString(buf, start + 1, end - 1)) {
    if (!foldable(len - 2)) return null;
    key = buf.toString("utf8", start + 1, end - 1);
  } else {
    try {
      key = JSON.parse(buf.toString("utf8", start, end));
    } catch {
      return undefined; // not a JSON string
    }
  }
  if (key === "model" || key === "stream") return key;
  const f = typeof key === "string" ? folded(key) : "";
  if (f === "model" || f === "stream") {
    throw new ProtocolError(400, `the request body has the key ${JSON.stringify(key)}: backends differ on whether that is "${f}"; write it "${f}"`);
  }
  return null;
}

/** The first index at or after `i` that is not JSON whitespace. */
function skipSpace(buf: Buffer, i: number): number {
  while (i < buf.length && isSpace(buf[i]!)) i++;
  return i;
}

// No closures inside: this runs on every request, and each closure made per call showed in profiles.
export function readBodyFields(buf: Buffer): BodyFields | null {
  let i = skipSpace(buf, 0);
  if (buf[i] !== OPEN_OBJ) return null;
  const out: BodyFields = { model: undefined, modelSpan: null, stream: false };
  let seenModel = false;
  let seenStream = false;
  i = skipSpace(buf, i + 1);
  if (buf[i] === CLOSE_OBJ) return skipSpace(buf, i + 1) === buf.length ? out : null;
  for (;;) {
    i = skipSpace(buf, i);
    if (buf[i] !== QUOTE) return null;
    const keyStart = i;
    const keyEnd = stringEnd(buf, i);
    if (keyEnd < 0) return null;
    i = skipSpace(buf, keyEnd);
    if (buf[i] !== COLON) return null;
    i = skipSpace(buf, i + 1);
    const vStart = i;
    const vEnd = valueEnd(buf, i);
    if (vEnd < 0) return null;
    const key = keyOf(buf, keyStart, keyEnd);
    if (key === undefined) return null;
    if (key !== null) {
      if (key === "model" ? seenModel : seenStream) throw new ProtocolError(400, `the request body has "${key}" more than once: send it once`);
      if (key === "model") seenModel = true;
      else seenStream = true;
    }
    if (key === "model") {
      if (buf[vStart] === QUOTE) {
        if (plainString(buf, vStart + 1, vEnd - 1)) {
          out.model = buf.toString("utf8", vStart + 1, vEnd - 1); // the bytes are the name
        } else {
          try {
            out.model = JSON.parse(buf.toString("utf8", vStart, vEnd)) as string;
          } catch {
            return null;
          }
        }
        out.modelSpan = [vStart, vEnd];
      } else {
        out.model = null;
      }
    } else if (key === "stream") {
      const v = buf.toString("latin1", vStart, vEnd);
      // Backends coerce other values differently ("true" is true to some, false to others).
      if (v !== "true" && v !== "false" && v !== "null") throw new ProtocolError(400, "stream: must be true or false");
      out.stream = v === "true";
    }
    i = skipSpace(buf, vEnd);
    if (buf[i] === COMMA) {
      i++;
      continue;
    }
    // Nothing may follow the object: a second document is read by some parsers and not others.
    if (buf[i] === CLOSE_OBJ) return skipSpace(buf, i + 1) === buf.length ? out : null;
    return null;
  }
}

/** Target model names as JSON bytes: a route's few names are encoded once, not per request. */
const encodedModels = new Map<string, Buffer>();
const ENCODED_MODELS_MAX = 1000; // `BACKEND/anything` names come from clients

function encodedModel(model: string): Buffer {
  let b = encodedModels.get(model);
  if (!b) {
    if (encodedModels.size >= ENCODED_MODELS_MAX) encodedModels.clear();
    b = Buffer.from(JSON.stringify(model));
    encodedModels.set(model, b);
  }
  return b;
}

/** The body with its top-level model replaced (or the same buffer when it already says so). */
export function withModel(buf: Buffer, fields: BodyFields, model: string): Buffer {
  if (fields.model === model || !fields.modelSpan) return buf;
  const [start, end] = fields.modelSpan;
  const name = encodedModel(model);
  const out = Buffer.allocUnsafe(buf.length - (end - start) + name.length);
  buf.copy(out, 0, 0, start);
  name.copy(out, start);
  buf.copy(out, start + name.length, end);
  return out;
}
