import { mkdir, mkdtemp, open, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FitError } from "../../../fit/errors";
import { estimateFit } from "../../../fit/estimate";
import { hfConfigFacts, readHfFacts } from "../../../fit/hf-config";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "fit-hf-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const DTYPE_BYTES: Record<string, number> = { BF16: 2, F16: 2, F32: 4, I32: 4, F8_E4M3: 1, U8: 1 };

/** A safetensors file whose header is real and whose data is a sparse hole. */
async function writeSafetensors(file: string, tensors: Record<string, { dtype: string; shape: number[] }>): Promise<void> {
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = t.shape.reduce((n, d) => n * d, 1) * DTYPE_BYTES[t.dtype]!;
    header[name] = { ...t, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const fh = await open(file, "w");
  await fh.write(Buffer.concat([len, json]));
  await fh.truncate(8 + json.length + offset);
  await fh.close();
}

async function folder(name: string, config: unknown, files: Record<string, unknown> = {}): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "config.json"), typeof config === "string" ? config : JSON.stringify(config));
  for (const [f, content] of Object.entries(files)) await writeFile(join(dir, f), JSON.stringify(content));
  return dir;
}

const tinyLlama = {
  architectures: ["LlamaForCausalLM"], model_type: "llama", hidden_size: 256, intermediate_size: 512, num_hidden_layers: 2,
  num_attention_heads: 8, num_key_value_heads: 2, max_position_embeddings: 8192, vocab_size: 1000, torch_dtype: "bfloat16",
  tie_word_embeddings: false,
};

function llamaTensors(layers: number, dtype = "BF16") {
  const t: Record<string, { dtype: string; shape: number[] }> = { "model.embed_tokens.weight": { dtype, shape: [1000, 256] }, "lm_head.weight": { dtype, shape: [1000, 256] } };
  for (let l = 0; l < layers; l++) {
    t[`model.layers.${l}.self_attn.q_proj.weight`] = { dtype, shape: [256, 256] };
    t[`model.layers.${l}.self_attn.k_proj.weight`] = { dtype, shape: [64, 256] };
    t[`model.layers.${l}.mlp.up_proj.weight`] = { dtype, shape: [512, 256] };
  }
  return t;
}

describe("Hugging Face folders", () => {
  it("reads config.json and sizes the weights from sharded safetensors headers", async () => {
    const tensors = llamaTensors(2);
    const names = Object.keys(tensors);
    const dir = await folder("llama", tinyLlama, {
      "model.safetensors.index.json": { metadata: { total_size: 1_234_567 }, weight_map: Object.fromEntries(names.map((n, i) => [n, i < 3 ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors"])) },
    });
    await writeSafetensors(join(dir, "model-00001-of-00002.safetensors"), Object.fromEntries(names.slice(0, 3).map((n) => [n, tensors[n]!])));
    await writeSafetensors(join(dir, "model-00002-of-00002.safetensors"), Object.fromEntries(names.slice(3).map((n) => [n, tensors[n]!])));
    const f = await readHfFacts(dir);
    const params = 2 * 1000 * 256 + 2 * (256 * 256 + 64 * 256 + 512 * 256);
    expect(f).toMatchObject({
      source: "hf", architecture: "llama", layers: 2, hiddenSize: 256, heads: 8, kvHeads: 2, headDimK: 32, contextLength: 8192,
      vocabSize: 1000, dtype: "bf16", tiedEmbeddings: false, weightsBytes: 1_234_567, params, embeddingBytes: 1000 * 256 * 2, missing: [],
    });
  });

  it("sums a single safetensors file when there is no index", async () => {
    const dir = await folder("single", tinyLlama);
    await writeSafetensors(join(dir, "model.safetensors"), llamaTensors(2));
    const f = await readHfFacts(dir);
    expect(f.weightsBytes).toBe(2 * (2 * 1000 * 256 + 2 * (256 * 256 + 64 * 256 + 512 * 256)));
  });

  it("unwraps text_config and applies Gemma 3's defaults for omitted keys", () => {
    const f = hfConfigFacts({
      architectures: ["Gemma3ForConditionalGeneration"], model_type: "gemma3", torch_dtype: "bfloat16",
      text_config: { model_type: "gemma3_text", hidden_size: 2560, intermediate_size: 10240, num_hidden_layers: 34, sliding_window: 1024 },
      vision_config: { hidden_size: 1152 },
    }, "google/gemma-3-4b-it");
    expect(f).toMatchObject({ architecture: "gemma3", layers: 34, hiddenSize: 2560, heads: 8, kvHeads: 4, headDimK: 256, slidingWindow: 1024, slidingLayers: 29, tiedEmbeddings: true });
  });

  it("counts sliding layers from layer_types (gpt-oss) and reads MXFP4", () => {
    const f = hfConfigFacts({
      model_type: "gpt_oss", num_hidden_layers: 4, hidden_size: 2880, num_attention_heads: 64, num_key_value_heads: 8, head_dim: 64,
      sliding_window: 128, layer_types: ["sliding_attention", "full_attention", "sliding_attention", "full_attention"],
      num_local_experts: 32, experts_per_token: 4, intermediate_size: 2880, quantization_config: { quant_method: "mxfp4" },
    }, "gpt-oss");
    expect(f).toMatchObject({ slidingWindow: 128, slidingLayers: 2, experts: 32, expertsUsed: 4, expertIntermediateSize: 2880, dtype: "mxfp4" });
  });

  it("ignores Qwen2's disabled sliding window", () => {
    const f = hfConfigFacts({ ...tinyLlama, model_type: "qwen2", sliding_window: 32768, use_sliding_window: false }, "qwen2");
    expect(f.slidingWindow).toBeNull();
  });

  it("reads MLA ranks (DeepSeek-V3) and FP8", () => {
    const f = hfConfigFacts({
      model_type: "deepseek_v3", num_hidden_layers: 61, hidden_size: 7168, num_attention_heads: 128, num_key_value_heads: 128,
      kv_lora_rank: 512, qk_rope_head_dim: 64, qk_nope_head_dim: 128, v_head_dim: 128, n_routed_experts: 256, num_experts_per_tok: 8,
      moe_intermediate_size: 2048, max_position_embeddings: 163840, vocab_size: 129280, quantization_config: { quant_method: "fp8", weight_block_size: [128, 128] },
    }, "deepseek");
    expect(f).toMatchObject({ kvLoraRank: 512, qkRopeHeadDim: 64, headDimK: 192, headDimV: 128, experts: 256, dtype: "fp8", quantBits: 8 });
  });

  it.each([
    [{ quant_method: "awq", bits: 4, group_size: 128 }, "awq", 4 + 20 / 128],
    [{ quant_method: "gptq", bits: 8 }, "gptq", 8],
    [{ quant_method: "bitsandbytes", load_in_4bit: true }, "bitsandbytes", 4 + 8 / 64 + 32 / (64 * 256)],
    [{ quant_method: "compressed-tensors", config_groups: { group_0: { weights: { num_bits: 8 } } } }, "compressed-tensors", 8],
  ])("quantization_config %j", (q, dtype, bits) => {
    const f = hfConfigFacts({ ...tinyLlama, quantization_config: q }, "q");
    expect(f.dtype).toBe(dtype);
    expect(f.quantBits).toBeCloseTo(bits, 6);
  });

  it("estimates a bare config (no weights) from its architecture and says so", async () => {
    const dir = await folder("bare", tinyLlama);
    const r = estimateFit(await readHfFacts(dir), { engine: "vllm", ctx: 1024 });
    const params = 2 * 1000 * 256 + 2 * (2 * 256 * 256 + 2 * 256 * 64 + 3 * 256 * 512 + 2 * 256) + 256;
    expect(r.weightsBytes).toBe(params * 2);
    expect(r.uncertain).toContain("parameter count derived from the architecture (no weights sizes given)");
  });
});

describe("Hugging Face folders: bad input", () => {
  const reason = async (p: Promise<unknown>) => ((await p.then(() => null, (e: unknown) => e)) as FitError);

  it("no config.json", async () => {
    const dir = join(root, "empty");
    await mkdir(dir, { recursive: true });
    const e = await reason(readHfFacts(dir));
    expect(e).toBeInstanceOf(FitError);
    expect(e.reason).toBe("hf_config_missing");
    expect(e.message).toMatch(/empty: no config\.json/);
  });

  it("config.json that is not JSON", async () => {
    const e = await reason(readHfFacts(await folder("broken", "{ nope")));
    expect(e.reason).toBe("hf_config_invalid");
  });

  it("a truncated safetensors shard", async () => {
    const dir = await folder("cut", tinyLlama);
    const file = join(dir, "model.safetensors");
    await writeSafetensors(file, llamaTensors(2));
    await truncate(file, 2000);
    const e = await reason(readHfFacts(dir));
    expect(e.reason).toBe("safetensors_invalid");
    expect(e.message).toMatch(/model\.safetensors: file is truncated: tensors need \d+ bytes of data/);
  });
});
