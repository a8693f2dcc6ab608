/**
 * A cold standby for cloud outages, on real components: a route lists a cloud target first and an
 * on-demand deployment after it; the cloud is down (nothing listens at its address). The official
 * OpenAI and Anthropic SDKs and Claude Code itself (`claude -p`) are answered by the local model,
 * which costs no memory until then: the first request that fails over loads it (a real llama.cpp
 * container through the real Docker Engine) and waits for it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentView } from "../../protocol/deployments";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { nodeContainers, runCli, startDeployAgent } from "../helpers/deploy";
import { TEST_IMAGE, cleanupContainers, dockerSkipReason } from "../helpers/docker";
import { CLAUDE_TIMEOUT_MS, claudeEnv, claudeSkipReason, runClaude } from "../helpers/claude-code";
import { GATEWAY_KEY } from "../helpers/gateway";
import { freePort, startServer, waitForNodesOnline, type Proc, type TestServer } from "../helpers/processes";

const NODE = `ondemand-sb-${process.pid}`;
const WORD = "Pong";
const skip = (await dockerSkipReason()) ?? claudeSkipReason();

describe.skipIf(skip !== null)(`a cold standby behind a cloud that is down${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let server: TestServer;
  let agent: Proc;

  const view = async () => (await (await server.api("/api/deployments/local")).json()) as DeploymentView;
  const standby = async () => {
    if ((await view()).state !== "standby") expect((await runCli(server, ["unload", "local"])).code).toBe(0);
    expect(await nodeContainers(NODE)).toEqual([]);
  };
  const lastRows = async (model: string) =>
    (await (await server.api(`/api/gateway/requests?limit=20&model=${model}`)).json()) as Array<{ target: string; status: number; loadWaitMs: number | null; endpoint: string }>;

  beforeAll(async () => {
    await cleanupContainers({ "switchyard.node": NODE });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-ondemand-sb-"));
    const model = path.join(dir, "pong.gguf");
    await writeTinyLlamaGguf(model, { deterministicWord: WORD, ctx: 131072 });
    const cloudPort = await freePort(); // nothing listens there: the cloud is down
    const config = path.join(dir, "switchyard.yaml");
    fs.writeFileSync(config, `apiKeys:
  - {name: tests, key: ${GATEWAY_KEY}}
backends:
  - {name: cloud, url: "http://127.0.0.1:${cloudPort}", api: anthropic, apiKey: sk-ant-not-used-0000, kind: cloud}
routes:
  - {model: claude-sonnet-4-5, targets: [cloud/claude-sonnet-4-5, local/local]}
  - {model: claude-haiku-4-5, targets: [cloud/claude-haiku-4-5, local/local]}
  - {model: gpt-standby, targets: [cloud/claude-sonnet-4-5, local/local]}
`);
    server = await startServer({ env: { SWITCHYARD_CONFIG: config } });
    agent = startDeployAgent(server, NODE, { portRange: "28600-28699" });
    await waitForNodesOnline(server, [NODE]);
    // Claude Code's first request is about 12,000 tokens (~47,000 of this model's byte tokens), in each of two slots.
    const r = await runCli(server, ["deploy", "llamacpp", model, "--name", "local", "--gpus", "none", "--image", TEST_IMAGE, "--ctx", "131072", "--parallel", "2", "--on-demand"]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    await cleanupContainers({ "switchyard.node": NODE });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the OpenAI SDK: the cloud fails, the standby loads and answers", async () => {
    await standby();
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
    const done = await openai.chat.completions.create({ model: "gpt-standby", messages: [{ role: "user", content: "Say something" }], max_tokens: 8 });
    expect(done.choices[0]!.message.content?.trim()).toBe(WORD);
    const [row] = await lastRows("gpt-standby");
    expect(row).toMatchObject({ target: "local/local", status: 200 });
    expect(row!.loadWaitMs).toBeGreaterThan(0);
    expect((await view()).state).toBe("ready");
  }, 60_000);

  it("the Anthropic SDK, streaming: the same, through the gateway's translation", async () => {
    await standby();
    const anthropic = new Anthropic({ baseURL: server.url, apiKey: GATEWAY_KEY, maxRetries: 0 });
    const stream = anthropic.messages.stream({ model: "claude-sonnet-4-5", max_tokens: 8, messages: [{ role: "user", content: "Say something" }] });
    const message = await stream.finalMessage();
    expect(message.content.map((b) => (b.type === "text" ? b.text : "")).join("").trim()).toBe(WORD);
    const [row] = await lastRows("claude-sonnet-4-5");
    expect(row).toMatchObject({ target: "local/local", status: 200 });
    expect(row!.loadWaitMs).toBeGreaterThan(0);
  }, 60_000);

  it("Claude Code (`claude -p`) keeps working: it waits for the load and is answered", async () => {
    await standby();
    const env = claudeEnv({ home: fs.mkdtempSync(path.join(dir, "home-")), baseUrl: server.url, key: GATEWAY_KEY, model: "claude-sonnet-4-5" });
    const r = await runClaude(env, ["-p", "Say something", "--max-turns", "1"], CLAUDE_TIMEOUT_MS);
    expect(r.stderr).not.toMatch(/API Error/);
    expect(r.stdout.trim()).toContain(WORD);
    expect(r.code).toBe(0);
    const rows = (await lastRows("claude-sonnet-4-5")).filter((x) => x.endpoint === "messages");
    expect(rows[0]).toMatchObject({ target: "local/local", status: 200 });
    expect(rows.some((x) => (x.loadWaitMs ?? 0) > 0)).toBe(true);
  }, CLAUDE_TIMEOUT_MS + 30_000);
});
