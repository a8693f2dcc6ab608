/**
 * Model facts from a local Hugging Face folder: config.json (text_config nesting for multimodal
 * wrappers), the weights' size from the safetensors index or the shards' headers (never their
 * data), and quantization_config.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { FitError } from "./errors";
import { emptyFacts, slidingLayersFromPeriod, withMissing, type ModelFacts } from "./model-facts";
import { checkpointQuantWithBits } from "./quant";
import { FLOAT_DTYPES, readSafetensorsHeader } from "./safetensors";

type Json = Record<string, unknown>;

/** Defaults transformers applies when a config omits the key (Gemma3TextConfig). */
const FAMILY_DEFAULTS: Record<string, Json> = {
  gemma3: { num_attention_heads: 8, num_key_value_heads: 4, head_dim: 256, vocab_size: 262208, max_position_embeddings: 131072, sliding_window_pattern: 6, tie_word_embeddings: true },
  gemma2: { sliding_window_pattern: 2, tie_word_embeddings: true },
};

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const num = (c: Json, ...keys: string[]): number | null => {
  for (const k of keys) {
    const v = c[k];
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
  }
  return null;
};

const DTYPES: Record<string, string> = { bfloat16: "bf16", float16: "f16", float32: "f32", half: "f16", float: "f32" };

function quantization(q: unknown): { name: string; bits: number } | null {
  if (!isObj(q)) return null;
  const method = String(q.quant_method ?? "").toLowerCase();
  if (method === "bitsandbytes") return { name: q.load_in_8bit ? "bnb-8bit" : "bitsandbytes", bits: q.load_in_8bit ? 8 : 4 };
  if (method === "fp8" || method === "fbgemm_fp8") return { name: "fp8", bits: 8 };
  if (method === "mxfp4") return { name: "mxfp4", bits: 4 };
  if (method === "compressed-tensors") {
    const groups = isObj(q.config_groups) ? Object.values(q.config_groups) : [];
    const bits = groups.map((g) => (isObj(g) && isObj(g.weights) ? num(g.weights, "num_bits") : null)).find((b) => b !== null);
    return { name: bits !== undefined && bits !== null && bits < 8 ? "compressed-tensors-w4a16" : "compressed-tensors", bits: bits ?? 8 };
  }
  if (method) return { name: method, bits: num(q, "bits", "w_bit") ?? 4 };
  return null;
}

function slidingFacts(c: Json, family: string, layers: number | null): { window: number | null; layers: number | null } {
  const window = num(c, "sliding_window");
  if (window === null || window === 0 || c.use_sliding_window === false || layers === null) return { window: null, layers: null };
  if (Array.isArray(c.layer_types)) return { window, layers: c.layer_types.filter((t) => t === "sliding_attention").length };
  const period = num(c, "sliding_window_pattern");
  if (period !== null) return { window, layers: slidingLayersFromPeriod(layers, period) };
  if (family === "gpt_oss") return { window, layers: slidingLayersFromPeriod(layers, 2) };
  return { window, layers }; // Mistral v0.1 style: every layer slides
}

/** Pure: config.json content → facts (weights sizes come from the folder, see readHfFacts). */
export function hfConfigFacts(config: unknown, id: string): ModelFacts {
  if (!isObj(config)) throw new FitError("hf_config_invalid", `${id}: config.json is not a JSON object`, { id });
  const top = config;
  const text = isObj(top.text_config) ? top.text_config : isObj(top.llm_config) ? top.llm_config : {};
  const family = String(top.model_type ?? text.model_type ?? "").replace(/_text$/, "");
  const c: Json = { ...(FAMILY_DEFAULTS[family] ?? {}), ...top, ...text };
  const f = emptyFacts("hf", id);
  f.architecture = family || (Array.isArray(top.architectures) ? String(top.architectures[0]) : null);
  f.layers = num(c, "num_hidden_layers", "n_layer", "num_layers");
  f.hiddenSize = num(c, "hidden_size", "n_embd", "d_model");
  f.heads = num(c, "num_attention_heads", "n_head");
  f.kvHeads = num(c, "num_key_value_heads", "multi_query_group_num") ?? f.heads;
  f.kvLoraRank = num(c, "kv_lora_rank");
  f.qkRopeHeadDim = f.kvLoraRank !== null ? num(c, "qk_rope_head_dim") : null;
  const nope = num(c, "qk_nope_head_dim");
  f.headDimK = num(c, "head_dim") ?? (f.kvLoraRank !== null && nope !== null && f.qkRopeHeadDim !== null ? nope + f.qkRopeHeadDim : null) ?? (f.hiddenSize && f.heads ? f.hiddenSize / f.heads : null);
  f.headDimV = num(c, "v_head_dim") ?? f.headDimK;
  f.contextLength = num(c, "max_position_embeddings", "n_positions", "seq_length", "max_sequence_length");
  f.vocabSize = num(c, "vocab_size", "padded_vocab_size");
  f.intermediateSize = num(c, "intermediate_size", "ffn_hidden_size");
  f.experts = num(c, "num_local_experts", "num_experts", "n_routed_experts");
  f.expertsUsed = num(c, "num_experts_per_tok", "experts_per_token", "moe_topk");
  f.expertIntermediateSize = num(c, "moe_intermediate_size") ?? (f.experts !== null ? f.intermediateSize : null);
  const sliding = slidingFacts(c, family, f.layers);
  f.slidingWindow = sliding.window;
  f.slidingLayers = sliding.layers;
  f.tiedEmbeddings = typeof c.tie_word_embeddings === "boolean" ? c.tie_word_embeddings : false;
  const dtype = String(c.torch_dtype ?? c.dtype ?? "").toLowerCase();
  f.dtype = DTYPES[dtype] ?? (dtype || null);
  const q = quantization(top.quantization_config ?? text.quantization_config);
  if (q) {
    f.dtype = q.name;
    f.quantBits = checkpointQuantWithBits(q.name, q.bits).linearBits;
  }
  return withMissing(f);
}

async function readJson(file: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new FitError("file_unreadable", `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new FitError("hf_config_invalid", `${file}: not valid JSON`, { file });
  }
}

const EMBEDDING = /(^|\.)(embed_tokens|wte|word_embeddings|tok_embeddings)\.weight$/;

/** Sizes from the shards' headers: bytes, parameters (float tensors only) and the embedding. */
async function shardFacts(dir: string, shards: string[]): Promise<{ bytes: number; params: number | null; embeddingBytes: number | null }> {
  let bytes = 0;
  let params = 0;
  let packed = false;
  let embeddingBytes: number | null = null;
  for (const shard of shards) {
    for (const t of await readSafetensorsHeader(join(dir, shard))) {
      bytes += t.bytes;
      if (FLOAT_DTYPES.has(t.dtype)) params += t.shape.reduce((n, d) => n * d, 1);
      else packed = true;
      if (EMBEDDING.test(t.name)) embeddingBytes = t.bytes;
    }
  }
  return { bytes, params: packed ? null : params, embeddingBytes };
}

export async function readHfFacts(dir: string): Promise<ModelFacts> {
  const config = await readJson(join(dir, "config.json"));
  if (config === undefined) throw new FitError("hf_config_missing", `${dir}: no config.json (not a Hugging Face model folder)`, { dir });
  const f = hfConfigFacts(config, dir);
  const index = await readJson(join(dir, "model.safetensors.index.json"));
  const files = await readdir(dir);
  const indexed = isObj(index) && isObj(index.weight_map) ? [...new Set(Object.values(index.weight_map).map(String))] : null;
  const shards = (indexed ?? files.filter((n) => n.endsWith(".safetensors"))).filter((n) => files.includes(n));
  const total = isObj(index) && isObj(index.metadata) ? num(index.metadata, "total_size") : null;

  if (shards.length > 0) {
    const s = await shardFacts(dir, shards);
    const complete = indexed === null || shards.length === indexed.length;
    f.weightsBytes = total ?? (complete ? s.bytes : null);
    f.params = complete ? s.params : null;
    f.embeddingBytes = s.embeddingBytes;
    if (!complete) f.missing.push(`${indexed!.length - shards.length} of ${indexed!.length} safetensors shards absent`);
  } else {
    const bin = await readJson(join(dir, "pytorch_model.bin.index.json"));
    f.weightsBytes = total ?? (isObj(bin) && isObj(bin.metadata) ? num(bin.metadata, "total_size") : null);
  }
  return withMissing(f);
}
