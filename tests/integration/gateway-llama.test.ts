/**
 * The official SDKs through the gateway to a real llama.cpp server (a generated model that always
 * answers one word), over both of its endpoints: its OpenAI one (pass-through for OpenAI clients,
 * translated for Anthropic clients) and its native Anthropic one (the reverse). Streaming and not.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { GATEWAY_KEY, startGateway, type GatewayServer } from "../helpers/gateway";
import { startLlamaServer, type LlamaServer } from "../helpers/llama";
import { rootfsSkipReason } from "../helpers/llama-rootfs";

const WORD = "Pong";
const skip = await rootfsSkipReason();

describe.skipIf(skip !== null)(`gateway → real llama.cpp${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let llama: LlamaServer;
  let gw: GatewayServer;
  let openai: OpenAI;
  let anthropic: Anthropic;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-gw-llama-"));
    const model = path.join(dir, "pong.gguf");
    await writeTinyLlamaGguf(model, { deterministicWord: WORD });
    llama = await startLlamaServer({ model, via: "chroot", ctx: 4096, parallel: 2, extraArgs: ["-a", "tiny"] });
    gw = await startGateway(`apiKeys:
  - {name: tester, key: ${GATEWAY_KEY}}
backends:
  - {name: llama-oa, url: "${llama.url}", api: openai, kind: llamacpp}
  - {name: llama-an, url: "${llama.url}", api: anthropic, kind: llamacpp}
routes:
  - {model: local-openai, targets: [llama-oa/tiny]}
  - {model: local-anthropic, targets: [llama-an/tiny]}
`);
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
    await llama?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  for (const model of ["local-openai", "local-anthropic"]) {
    const how = model === "local-openai" ? "pass-through" : "translated from Anthropic";
    describe(`OpenAI SDK → ${model} (${how})`, () => {
      it("chat completion", async () => {
        const r = await openai.chat.completions.create({ model, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Say something" }], max_tokens: 16 });
        expect(r.choices[0]!.message.content!.trim()).toBe(WORD);
        expect(r.choices[0]!.finish_reason).toBe("stop");
        expect(r.usage!.completion_tokens).toBeGreaterThan(0);
      });

      it("streamed chat completion with usage", async () => {
        const stream = await openai.chat.completions.create({ model, messages: [{ role: "user", content: "Say something" }], max_tokens: 16, stream: true, stream_options: { include_usage: true } });
        let text = "";
        let finish: string | null = null;
        let usage: OpenAI.CompletionUsage | null | undefined;
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta?.content ?? "";
          finish = chunk.choices[0]?.finish_reason ?? finish;
          if (chunk.usage) usage = chunk.usage;
        }
        expect(text.trim()).toBe(WORD);
        expect(finish).toBe("stop");
        expect(usage?.prompt_tokens).toBeGreaterThan(0);
      });
    });

    const ahow = model === "local-anthropic" ? "pass-through" : "translated to OpenAI";
    describe(`Anthropic SDK → ${model} (${ahow})`, () => {
      it("message", async () => {
        const msg = await anthropic.messages.create({ model, max_tokens: 16, system: "Be brief.", messages: [{ role: "user", content: "Say something" }] });
        expect(msg.type).toBe("message");
        const text = msg.content.map((b) => (b.type === "text" ? b.text : "")).join("");
        expect(text.trim()).toBe(WORD);
        expect(msg.stop_reason).toBe("end_turn");
        expect(msg.usage.input_tokens).toBeGreaterThan(0);
      });

      it("streamed message", async () => {
        const stream = anthropic.messages.stream({ model, max_tokens: 16, messages: [{ role: "user", content: "Say something" }] });
        const types: string[] = [];
        stream.on("streamEvent", (e) => types.push(e.type));
        const msg = await stream.finalMessage();
        expect(msg.content.map((b) => (b.type === "text" ? b.text : "")).join("").trim()).toBe(WORD);
        expect(msg.stop_reason).toBe("end_turn");
        expect(types[0]).toBe("message_start");
        expect(types.at(-1)).toBe("message_stop");
        expect(types).toContain("content_block_delta");
      });

      it("count_tokens comes from llama.cpp", async () => {
        const r = await anthropic.messages.countTokens({ model, messages: [{ role: "user", content: "Say something please" }] });
        expect(r.input_tokens).toBeGreaterThan(0);
      });
    });
  }

  it("legacy completions pass through", async () => {
    const r = await openai.completions.create({ model: "local-openai", prompt: "Hello", max_tokens: 8 });
    expect(r.choices[0]!.text.trim()).toBe(WORD);
  });

  it("the request log holds the llama requests with tokens and TTFT", async () => {
    const rows = (await (await gw.api("/api/gateway/requests?limit=100")).json()) as Array<{ modelAsked: string; endpoint: string; target: string; status: number; stream: boolean; ttftMs: number | null; inputTokens: number | null; outputTokens: number | null }>;
    const streamed = rows.find((r) => r.modelAsked === "local-openai" && r.stream);
    expect(streamed).toMatchObject({ target: "llama-oa/tiny", status: 200 });
    expect(streamed!.ttftMs).toEqual(expect.any(Number));
    // Token counts in both directions of translation, streamed or not, come from what llama.cpp reported.
    for (const [modelAsked, endpoint] of [["local-openai", "messages"], ["local-anthropic", "chat"]]) {
      for (const stream of [false, true]) {
        const row = rows.find((r) => r.modelAsked === modelAsked && r.endpoint === endpoint && r.stream === stream);
        expect(row, `${endpoint}, ${modelAsked}, stream ${stream}`).toMatchObject({ status: 200, inputTokens: expect.any(Number), outputTokens: expect.any(Number) });
        expect(row!.inputTokens! * row!.outputTokens!).toBeGreaterThan(0);
      }
    }
    expect(rows.filter((r) => r.status !== 200)).toEqual([]);
  });
});
