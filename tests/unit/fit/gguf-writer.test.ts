/**
 * The tests-owned tiny-llama writer: what llama.cpp needs to load it (keys, typed floats,
 * tensor shapes) and the deterministic model's weights. Loading it in the real llama-server is
 * the integration suite's job.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGgufHeader, type GgufHeader } from "../../../fit/gguf-reader";
import { toHalfBits, writeTinyLlamaGguf } from "../../fixtures/gguf/writer";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fit-writer-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function tensorF32(file: Buffer, h: GgufHeader, name: string): Float32Array {
  const t = h.tensors.find((x) => x.name === name)!;
  const start = h.dataOffset + t.offset;
  return new Float32Array(file.buffer.slice(file.byteOffset + start, file.byteOffset + start + t.bytes!));
}

describe("writeTinyLlamaGguf", () => {
  it("writes the keys and tensors llama.cpp's llama loader requires", async () => {
    const file = join(dir, "tiny.gguf");
    await writeTinyLlamaGguf(file, { layers: 2, embd: 32, heads: 4, kvHeads: 2, ff: 48 });
    const h = await readGgufHeader(file);
    const md = h.metadata;
    expect(md).toMatchObject({
      "general.architecture": "llama", "llama.block_count": 2, "llama.embedding_length": 32, "llama.attention.head_count": 4,
      "llama.attention.head_count_kv": 2, "llama.feed_forward_length": 48, "tokenizer.ggml.model": "llama",
      "tokenizer.ggml.bos_token_id": 1, "tokenizer.ggml.eos_token_id": 2,
    });
    // llama.cpp checks value types strictly: these must be float32 even when whole numbers.
    expect(md["llama.rope.freq_base"]).toBe(10000);
    expect(md["llama.attention.layer_norm_rms_epsilon"]).toBeCloseTo(1e-5, 10);
    const tokens = md["tokenizer.ggml.tokens"] as string[];
    expect(tokens.slice(0, 4)).toEqual(["<unk>", "<s>", "</s>", "<0x00>"]);
    expect(tokens).toContain("<0x0A>"); // llama.cpp's SPM vocab looks up the newline byte token
    const shapes = Object.fromEntries(h.tensors.map((t) => [t.name, t.shape]));
    expect(shapes).toMatchObject({
      "token_embd.weight": [32, tokens.length], "blk.1.attn_k.weight": [32, 16], "blk.1.attn_output.weight": [32, 32],
      "blk.0.ffn_down.weight": [48, 32], "output.weight": [32, tokens.length], "output_norm.weight": [32],
    });
  });

  it("deterministic mode: every token leads to the word, the word to end-of-sequence", async () => {
    const file = join(dir, "det.gguf");
    await writeTinyLlamaGguf(file, { deterministicWord: "pong", embd: 16, heads: 2 });
    const h = await readGgufHeader(file);
    const bytes = await readFile(file);
    const tokens = h.metadata["tokenizer.ggml.tokens"] as string[];
    const word = tokens.indexOf("pong");
    expect(word).toBeGreaterThan(258);
    const emb = tensorF32(bytes, h, "token_embd.weight");
    const out = tensorF32(bytes, h, "output.weight");
    const logits = (hidden: number[]) => tokens.map((_, t) => hidden.reduce((s, x, i) => s + x * out[t * 16 + i]!, 0));
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    for (const t of [0, 1, 13, 100, tokens.length - 1]) {
      if (t === word) continue;
      expect(argmax(logits(Array.from(emb.subarray(t * 16, t * 16 + 16))))).toBe(word);
    }
    expect(argmax(logits(Array.from(emb.subarray(word * 16, word * 16 + 16))))).toBe(2);
    expect(tensorF32(bytes, h, "blk.0.attn_q.weight").every((x) => x === 0)).toBe(true);
  });

  it("is reproducible for a seed and different across seeds", async () => {
    const [a, b, c] = [join(dir, "a.gguf"), join(dir, "b.gguf"), join(dir, "c.gguf")];
    await writeTinyLlamaGguf(a, { seed: 7 });
    await writeTinyLlamaGguf(b, { seed: 7 });
    await writeTinyLlamaGguf(c, { seed: 8 });
    expect((await readFile(a)).equals(await readFile(b))).toBe(true);
    expect((await readFile(a)).equals(await readFile(c))).toBe(false);
  });

  it.each([
    [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff], [1e6, 0x7c00], [0, 0], [6e-8, 0x0001],
  ])("f16 of %d", (x, bits) => expect(toHalfBits(x)).toBe(bits));
});
