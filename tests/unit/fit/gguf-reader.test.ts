import { mkdtemp, open, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FitError } from "../../../fit/errors";
import { readGgufFacts, readGgufHeader } from "../../../fit/gguf-reader";
import { writeGguf, writeTinyLlamaGguf } from "../../fixtures/gguf/writer";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fit-gguf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectFitError(p: Promise<unknown>, reason: string, text: RegExp): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(FitError);
  expect((err as FitError).reason).toBe(reason);
  expect((err as FitError).message).toMatch(text);
}

describe("GGUF reader round-trips the tests' writer", () => {
  // Bytes per tensor written out by hand from ggml's block layouts, independent of ggml-types.ts.
  const cases: [type: string, shape: number[], bytes: number][] = [
    ["F32", [7, 3], 84],
    ["F16", [64], 128],
    ["BF16", [32, 2, 2], 256],
    ["Q4_0", [64, 3], 2 * 18 * 3],
    ["Q4_1", [32], 20],
    ["Q5_0", [32, 2], 44],
    ["Q5_1", [32], 24],
    ["Q8_0", [256, 4], 8 * 34 * 4],
    ["Q2_K", [256], 84],
    ["Q3_K", [256, 2], 220],
    ["Q4_K", [512, 3], 2 * 144 * 3],
    ["Q5_K", [256], 176],
    ["Q6_K", [256, 5], 210 * 5],
    ["Q8_K", [256], 292],
    ["IQ2_XXS", [256], 66],
    ["IQ3_S", [256], 110],
    ["IQ4_NL", [32, 8], 18 * 8],
    ["IQ4_XS", [256, 1, 1, 2], 136 * 2],
    ["IQ1_M", [256], 56],
    ["MXFP4", [64], 34],
    ["I32", [5], 20],
  ];

  it("reads tensor types, shapes, offsets and byte sizes", async () => {
    const file = join(dir, "types.gguf");
    await writeGguf(file, {
      metadata: { "general.architecture": "test", "general.name": "round trip" },
      tensors: cases.map(([type, shape], i) => ({ name: `t${i}.${type}`, type, shape })),
    });
    const h = await readGgufHeader(file);
    expect(h.version).toBe(3);
    expect(h.tensors.map((t) => [t.type, t.shape, t.bytes])).toEqual(cases);
    // Offsets are aligned to 32 and in write order.
    for (const t of h.tensors) expect(t.offset % 32).toBe(0);
    expect(h.dataOffset % 32).toBe(0);
  });

  it("reads every metadata value type, arrays and a custom alignment", async () => {
    const file = join(dir, "meta.gguf");
    await writeGguf(file, {
      alignment: 64,
      metadata: {
        u8: { type: "u8", value: 200 }, i8: { type: "i8", value: -5 }, u16: { type: "u16", value: 65000 },
        i16: { type: "i16", value: -300 }, u32: 4_000_000_000, i32: -7, f32: 0.5, bool: true, str: "héllo",
        u64: { type: "u64", value: 2n ** 40n }, i64: { type: "i64", value: -(2n ** 40n) }, f64: { type: "f64", value: 1e-300 },
        ints: [1, 2, 3], names: ["a", "b"], flags: [true, false, true],
      },
      tensors: [{ name: "w", type: "F32", shape: [4] }],
    });
    const h = await readGgufHeader(file);
    expect(h.metadata).toMatchObject({
      u8: 200, i8: -5, u16: 65000, i16: -300, u32: 4_000_000_000, i32: -7, f32: 0.5, bool: true, str: "héllo",
      u64: 2 ** 40, i64: -(2 ** 40), f64: 1e-300, ints: [1, 2, 3], names: ["a", "b"], flags: [true, false, true],
    });
    expect(h.alignment).toBe(64);
    expect(h.dataOffset % 64).toBe(0);
  });

  it("keeps only the length of a long array (a real vocabulary)", async () => {
    const file = join(dir, "vocab.gguf");
    const tokens = Array.from({ length: 150_000 }, (_, i) => `tok${i}`);
    await writeGguf(file, { metadata: { "tokenizer.ggml.tokens": tokens }, tensors: [] });
    const h = await readGgufHeader(file);
    expect(h.metadata["tokenizer.ggml.tokens"]).toEqual({ kind: "long-array", itemType: "string", length: 150_000 });
  });

  it("reads a 70B-shaped file's facts from its header alone", async () => {
    const file = join(dir, "big.gguf");
    const layers = 80;
    const tensors = [{ name: "token_embd.weight", type: "Q4_K", shape: [8192, 128256] }];
    for (let l = 0; l < layers; l++) {
      tensors.push(
        { name: `blk.${l}.attn_q.weight`, type: "Q4_K", shape: [8192, 8192] },
        { name: `blk.${l}.attn_k.weight`, type: "Q4_K", shape: [8192, 1024] },
        { name: `blk.${l}.ffn_down.weight`, type: "Q6_K", shape: [28672, 8192] },
      );
    }
    await writeGguf(file, {
      metadata: { "general.architecture": "llama", "llama.block_count": layers, "llama.attention.head_count": 64, "llama.attention.head_count_kv": 8, "llama.embedding_length": 8192, "general.file_type": 15 },
      tensors,
    });
    expect((await stat(file)).size).toBeGreaterThan(19e9); // sparse: the disk holds only the header
    const f = await readGgufFacts(file);
    expect(f).toMatchObject({ architecture: "llama", layers: 80, heads: 64, kvHeads: 8, hiddenSize: 8192, headDimK: 128, dtype: "Q4_K_M" });
    expect(f.embeddingBytes).toBe((8192 * 128256 * 144) / 256);
    expect(f.weightsBytes).toBe(f.embeddingBytes! + layers * ((8192 * 8192 + 8192 * 1024) * 144 / 256 + (28672 * 8192 * 210) / 256));
  });
});

describe("GGUF reader: model facts of the tiny llama", () => {
  it("derives architecture facts and sizes", async () => {
    const file = join(dir, "tiny.gguf");
    await writeTinyLlamaGguf(file, { layers: 3, embd: 64, heads: 8, kvHeads: 2, ff: 96, ctx: 4096, type: "f16" });
    const f = await readGgufFacts(file);
    expect(f).toMatchObject({
      source: "gguf", architecture: "llama", layers: 3, hiddenSize: 64, heads: 8, kvHeads: 2, headDimK: 8, headDimV: 8,
      contextLength: 4096, intermediateSize: 96, dtype: "F16", tiedEmbeddings: false, missing: [],
    });
    expect(f.vocabSize).toBeGreaterThan(256);
    const perLayer = 2 * (64 * 64 * 2 + 2 * 64 * 16 + 3 * 64 * 96) + 2 * 64 * 4;
    expect(f.weightsBytes).toBe(3 * perLayer + 2 * 64 * f.vocabSize! * 2 + 64 * 4);
  });
});

describe("GGUF reader: bad files get a clear error", () => {
  it("names a missing file", async () => {
    await expectFitError(readGgufHeader(join(dir, "nope.gguf")), "file_unreadable", /nope\.gguf: cannot read GGUF file \(no such file\)/);
  });

  it("rejects a file that is not GGUF", async () => {
    const file = join(dir, "model.safetensors.gguf");
    await writeFile(file, Buffer.from("PK\u0003\u0004 not a model"));
    const err = await readGgufHeader(file).catch((e: unknown) => e);
    await expectFitError(Promise.reject(err), "gguf_bad_magic", /not a model file \(a GGUF file begins with the bytes "GGUF"/);
    // Nothing of what the file holds comes back (the server reads paths on its own disk).
    expect(`${(err as FitError).message} ${JSON.stringify((err as FitError).details)}`).not.toContain("PK");
  });

  it("rejects an unsupported version", async () => {
    const file = join(dir, "v9.gguf");
    await writeGguf(file, { version: 9, metadata: {}, tensors: [] });
    await expectFitError(readGgufHeader(file), "gguf_unsupported_version", /version 9 is not supported/);
  });

  it("says where a header is cut short", async () => {
    const file = join(dir, "cut-header.gguf");
    await writeTinyLlamaGguf(file);
    const h = await readGgufHeader(file);
    await truncate(file, Math.floor(h.headerBytes / 2));
    await expectFitError(readGgufHeader(file), "gguf_truncated", /cut-header\.gguf: GGUF header is truncated: .* the file ends at/);
  });

  it("catches a download cut short in the weights, without reading them", async () => {
    const file = join(dir, "cut-data.gguf");
    await writeTinyLlamaGguf(file);
    const { size } = await stat(file);
    await truncate(file, size - 1000);
    await expectFitError(readGgufHeader(file), "gguf_truncated", /file is truncated: tensor output\.weight ends at byte \d+ but the file has \d+ bytes/);
  });

  it("reports implausible counts as corruption, not as an allocation", async () => {
    const file = join(dir, "counts.gguf");
    await writeGguf(file, { metadata: {}, tensors: [] });
    const fh = await open(file, "r+");
    const huge = Buffer.alloc(8);
    huge.writeBigUInt64LE(2n ** 50n);
    await fh.write(huge, 0, 8, 8); // tensor count
    await fh.close();
    await expectFitError(readGgufHeader(file), "gguf_corrupt", /implausible counts/);
  });

  it("keeps tensors of unknown types and says their size is unknown", async () => {
    const file = join(dir, "newtype.gguf");
    await writeGguf(file, { metadata: { "general.architecture": "llama" }, tensors: [{ name: "blk.0.x", type: 250, shape: [4], data: new Uint8Array(16) }] });
    const h = await readGgufHeader(file);
    expect(h.tensors[0]).toMatchObject({ type: "unknown(250)", bytes: null });
    const f = await readGgufFacts(file);
    expect(f.missing).toContain("bytes of 1 tensors of unknown ggml types");
  });
});
