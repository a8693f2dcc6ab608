/**
 * Claude Code itself (`claude -p`, the native binary from @anthropic-ai/claude-code) through the
 * gateway, while the route's first target — a "cloud" Anthropic backend — is down: its requests fail
 * over to a local llama.cpp model (OpenAI protocol, so the gateway translates), and it answers.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { CLAUDE_TIMEOUT_MS, claudeEnv, claudeSkipReason, runClaude } from "../helpers/claude-code";
import { GATEWAY_KEY, json, scriptedUpstream, startGateway, type GatewayServer, type Scripted } from "../helpers/gateway";
import { startLlamaServer, type LlamaServer } from "../helpers/llama";
import { rootfsSkipReason } from "../helpers/llama-rootfs";
import { freePort } from "../helpers/processes";

const WORD = "Pong";

async function skipReason(): Promise<string | null> {
  return (await rootfsSkipReason()) ?? claudeSkipReason();
}
const skip = await skipReason();

describe.skipIf(skip !== null)(`Claude Code through the gateway${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let llama: LlamaServer;
  let gw: GatewayServer;
  let overloadedCloud: Scripted;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-claude-"));
    const model = path.join(dir, "pong.gguf");
    await writeTinyLlamaGguf(model, { deterministicWord: WORD, ctx: 131072 });
    // Claude Code's first request is about 12,000 tokens of system prompt and tools: ~47,000 of this
    // model's byte-level tokens, in each of two slots (-c is the total over slots).
    llama = await startLlamaServer({ model, via: "chroot", ctx: 131072, parallel: 2, extraArgs: ["-a", "tiny"] });
    const cloudPort = await freePort(); // nothing listens there: the cloud is down
    // A cloud that passes its health check (GET /v1/models) but answers every message with 529.
    overloadedCloud = await scriptedUpstream((req, res) => {
      if (req.url.startsWith("/v1/models")) return json(res, 200, { data: [] });
      json(res, 529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    });
    gw = await startGateway(`apiKeys:
  - {name: claude-code, key: ${GATEWAY_KEY}}
backends:
  - {name: cloud, url: "http://127.0.0.1:${cloudPort}", api: anthropic, apiKey: sk-ant-not-used-0000, kind: cloud}
  - {name: busy, url: "${overloadedCloud.url}", api: anthropic, apiKey: sk-ant-not-used-0001, kind: cloud}
  - {name: local, url: "${llama.url}", api: openai, kind: llamacpp}
routes:
  - model: coder-failover
    targets: [busy/coder-failover, local/tiny]
  - model: claude-sonnet-4-5
    targets: [cloud/claude-sonnet-4-5, local/tiny]
  - model: claude-haiku-4-5
    targets: [cloud/claude-haiku-4-5, local/tiny]
`);
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
    await llama?.stop();
    await overloadedCloud?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const envFor = (model: string) => claudeEnv({ home: fs.mkdtempSync(path.join(dir, "home-")), baseUrl: gw.url, key: GATEWAY_KEY, model, timeoutMs: CLAUDE_TIMEOUT_MS });

  it("answers `claude -p` from the local model while the cloud is down", async () => {
    const r = await runClaude(envFor("claude-sonnet-4-5"), ["-p", "Say something", "--max-turns", "1"], CLAUDE_TIMEOUT_MS);
    expect(r.stderr).not.toMatch(/API Error/);
    expect(r.stdout.trim()).toContain(WORD);
    expect(r.code).toBe(0);

    const rows = (await (await gw.api("/api/gateway/requests?limit=50")).json()) as Array<{ endpoint: string; modelAsked: string; target: string; status: number; failovers: number; keyName: string }>;
    const main = rows.filter((x) => x.endpoint === "messages" && x.modelAsked === "claude-sonnet-4-5");
    expect(main.length).toBeGreaterThan(0);
    // The health check found the cloud refusing connections before Claude Code started, so its
    // requests skipped it (no failover needed); had one tried it first, it would have moved on.
    expect(main.every((x) => x.status === 200 && x.target === "local/tiny" && x.keyName === "claude-code")).toBe(true);
    const status = (await (await gw.api("/api/gateway/status")).json()) as { backends: Array<{ name: string; availability: string }> };
    expect(status.backends.find((b) => b.name === "cloud")!.availability).toBe("down");
  }, CLAUDE_TIMEOUT_MS + 20_000);

  it("fails over request by request when the cloud answers 529 (overloaded)", async () => {
    const r = await runClaude(envFor("coder-failover"), ["-p", "Say something", "--max-turns", "1"], CLAUDE_TIMEOUT_MS);
    expect(r.stderr).not.toMatch(/API Error/);
    expect(r.stdout.trim()).toContain(WORD);
    expect(r.code).toBe(0);
    expect(overloadedCloud.calls().some((c) => c.url.startsWith("/v1/messages"))).toBe(true);
    const rows = (await (await gw.api("/api/gateway/requests?limit=50&model=coder-failover")).json()) as Array<{ target: string; status: number; failovers: number }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((x) => x.status === 200 && x.target === "local/tiny")).toBe(true);
    expect(rows.some((x) => x.failovers === 1)).toBe(true);
  }, CLAUDE_TIMEOUT_MS + 20_000);
});
