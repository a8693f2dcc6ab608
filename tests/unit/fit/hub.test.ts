/**
 * Model facts from the Hugging Face Hub, tested against a local stand-in for the Hub (there is no
 * internet here; tests/helpers/hf-hub-standin.ts answers like huggingface.co's resolve URLs):
 * config and weights size fetched once and cached on disk, the server's token sent, gated and
 * missing repos and an unreachable Hub falling back to the offline catalog with a note.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FitError } from "../../../fit/errors";
import { estimateFit } from "../../../fit/estimate";
import { createHubSource } from "../../../server/core/fit/hub";
import { resolveServerFacts } from "../../../server/core/fit/server-facts";
import { startHubStandin, type HubStandin } from "../../helpers/hf-hub-standin";

// Llama-3.2-1B's shapes under a name the offline catalog does not know.
const CONFIG = {
  architectures: ["LlamaForCausalLM"], model_type: "llama", hidden_size: 2048, num_hidden_layers: 16, num_attention_heads: 32,
  num_key_value_heads: 8, head_dim: 64, intermediate_size: 8192, vocab_size: 128256, max_position_embeddings: 131072,
  torch_dtype: "bfloat16", tie_word_embeddings: true,
};

let hub: HubStandin;
let cacheRoot: string;
let cacheDir: string;
beforeAll(async () => {
  hub = await startHubStandin({
    "acme/tiny-llama": { files: { "config.json": CONFIG, "model.safetensors.index.json": { metadata: { total_size: 2_471_645_184 }, weight_map: {} } } },
    "acme/one-file": { files: { "config.json": CONFIG }, sizes: { "model.safetensors": 2_471_649_000 } },
    "acme/gated": { files: { "config.json": CONFIG }, gatedToken: "hf_secret" },
    "Qwen/Qwen3-8B": { files: {} },
  });
  cacheRoot = await mkdtemp(join(tmpdir(), "fit-hub-"));
});
afterAll(async () => {
  await hub.close();
  await rm(cacheRoot, { recursive: true, force: true });
});
beforeEach(async () => {
  cacheDir = await mkdtemp(join(cacheRoot, "c-"));
  hub.requests.length = 0;
});

describe("Hub facts (against a local stand-in for the Hub)", () => {
  it("reads config.json and the safetensors index's total size, and caches them on disk", async () => {
    const src = createHubSource({ endpoint: hub.url, cacheDir });
    const a = await src.facts("acme/tiny-llama");
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    expect(a.facts).toMatchObject({ source: "hub", layers: 16, hiddenSize: 2048, kvHeads: 8, headDimK: 64, weightsBytes: 2_471_645_184, dtype: "bf16", missing: [] });
    expect(hub.requests.map((r) => r.path)).toEqual(["/acme/tiny-llama/resolve/main/config.json", "/acme/tiny-llama/resolve/main/model.safetensors.index.json"]);
    expect(await readdir(cacheDir)).toEqual(["acme--tiny-llama.json"]);
    // A second source on the same cache (a restarted server) asks nothing.
    const b = await createHubSource({ endpoint: hub.url, cacheDir }).facts("acme/tiny-llama");
    expect(b).toMatchObject({ ok: true, cached: true });
    expect(hub.requests).toHaveLength(2);
    const r = estimateFit(a.facts, { engine: "vllm", ctx: 8192, gpuMem: ["24GiB"] });
    expect(r).toMatchObject({ weightsBytes: 2_471_645_184, fits: true });
  });

  it("sizes a one-file checkpoint from the file's length (HEAD)", async () => {
    const a = await createHubSource({ endpoint: hub.url, cacheDir }).facts("acme/one-file");
    expect(a.ok && a.facts.weightsBytes).toBe(2_471_649_000);
    expect(hub.requests.at(-1)).toMatchObject({ method: "HEAD", path: "/acme/one-file/resolve/main/model.safetensors" });
  });

  it("sends the server's token for gated repos, and says what to do without one", async () => {
    const without = await createHubSource({ endpoint: hub.url, cacheDir }).facts("acme/gated");
    expect(without).toMatchObject({ ok: false, kind: "gated" });
    expect(!without.ok && without.reason).toMatch(/gated or private .*store a token/);
    const withToken = await createHubSource({ endpoint: hub.url, cacheDir, token: async () => "hf_secret" }).facts("acme/gated");
    expect(withToken.ok).toBe(true);
    expect(hub.requests.at(-1)!.authorization).toBe("Bearer hf_secret");
  });

  it("refuses what is not a repo id, without asking", async () => {
    expect(await createHubSource({ endpoint: hub.url, cacheDir }).facts("../etc/passwd")).toMatchObject({ ok: false, kind: "invalid" });
    expect(hub.requests).toHaveLength(0);
  });
});

describe("server facts: Hub first, the catalog when the Hub cannot answer", () => {
  it("falls back to the catalog with a note when the Hub lacks the repo's config", async () => {
    const r = await resolveServerFacts("Qwen/Qwen3-8B", createHubSource({ endpoint: hub.url, cacheDir }));
    expect(r.facts.source).toBe("catalog");
    expect(r.notes[0]).toMatch(/has no config.json on the Hugging Face Hub.*: facts from the offline catalog/);
  });

  it("falls back at once when the Hub is unreachable, and does not ask again for a while", async () => {
    let calls = 0;
    const failing: typeof fetch = async () => {
      calls++;
      throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } });
    };
    const src = createHubSource({ endpoint: "https://huggingface.co", cacheDir, fetch: failing });
    const r = await resolveServerFacts("Qwen/Qwen3-8B", src);
    expect(r.facts.source).toBe("catalog");
    expect(r.notes[0]).toMatch(/Hub at https:\/\/huggingface.co is unreachable \(ENOTFOUND\): facts from the offline catalog/);
    await resolveServerFacts("Qwen/Qwen3-8B", src);
    expect(calls).toBe(1);
  });

  it("times out a Hub that does not answer", async () => {
    const hanging: typeof fetch = (_url, init) => new Promise((_, reject) => init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason)));
    const src = createHubSource({ endpoint: "https://huggingface.co", cacheDir, fetch: hanging, timeoutMs: 50 });
    const r = await src.facts("acme/tiny-llama");
    expect(r).toMatchObject({ ok: false, kind: "unreachable" });
    expect(!r.ok && r.reason).toMatch(/no answer within 50 ms/);
  });

  it("names the problem when neither the Hub nor the catalog knows the model", async () => {
    const err = await resolveServerFacts("acme/unknown-model", createHubSource({ endpoint: hub.url, cacheDir })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FitError);
    expect((err as FitError).reason).toBe("model_unknown");
    expect((err as FitError).message).toMatch(/acme\/unknown-model: .*no config.json on the Hugging Face Hub.*offline catalog does not know it/);
  });

  it("applies a llama.cpp quant tag to Hub facts", async () => {
    const r = await resolveServerFacts("acme/tiny-llama:Q4_K_M", createHubSource({ endpoint: hub.url, cacheDir }));
    expect(r.facts).toMatchObject({ source: "hub", dtype: "Q4_K_M", weightsBytes: null });
    expect(estimateFit(r.facts, { engine: "llamacpp", ctx: 4096 }).precision).toBe("Q4_K_M");
  });

  it("reads paths on the server's disk, and says where a missing one was looked for", async () => {
    const err = await resolveServerFacts("/nowhere/model.gguf", null).catch((e: unknown) => e);
    expect((err as FitError).message).toMatch(/The server reads paths on its own disk/);
  });
});
