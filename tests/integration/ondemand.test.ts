/**
 * Models on demand end to end, on real components: the `switchyard` CLI, a real server and agent
 * process, the real Docker Engine and llama.cpp image, tiny generated models, and the gateway as
 * clients use it. The agent's CPU budget (SWITCHYARD_CPU_MEMORY) holds one of the two models but
 * not both, by the fit estimate the server computes. Registered standby → loaded on the first
 * request (concurrent first requests: one start) → swapped for the other model (unloaded first) →
 * a long stream finishes before its model is evicted → idle unload → a failed start (missing image,
 * a crash) answers 503 with the cause and log lines and a route moves on → a model too big for the
 * budget is refused at deploy time.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeploymentView } from "../../protocol/deployments";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { nodeContainers, runCli, startDeployAgent } from "../helpers/deploy";
import { TEST_IMAGE, cleanupContainers, dockerSkipReason } from "../helpers/docker";
import { GATEWAY_KEY } from "../helpers/gateway";
import { startServer, waitFor, type Proc, type TestServer } from "../helpers/processes";

const NODE = `ondemand-it-${process.pid}`;
const skip = await dockerSkipReason();

describe.skipIf(skip !== null)(`models on demand on the real Docker Engine${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  let server: TestServer;
  let agent: Proc;
  const models = { ping: "", pong: "", chatty: "", broken: "" };
  let budget = 0;

  const view = async (name: string) => (await (await server.api(`/api/deployments/${name}`)).json()) as DeploymentView;
  const containersOf = async (name: string) => (await nodeContainers(NODE)).filter((c) => c.Labels["switchyard.name"] === name);
  const register = (name: string, model: string, ...extra: string[]) =>
    runCli(server, ["deploy", "llamacpp", model, "--name", name, "--gpus", "none", "--image", TEST_IMAGE, "--ctx", "2048", "--on-demand", ...extra]);
  const chat = (model: string, extra: Record<string, unknown> = {}) =>
    fetch(`${server.url}/v1/chat/completions`, {
      method: "POST", headers: { authorization: `Bearer ${GATEWAY_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "Say something" }], max_tokens: 8, ...extra }),
    });
  const answer = async (model: string) => {
    const res = await chat(model);
    const body = (await res.json()) as { choices?: Array<{ message: { content: string } }>; error?: unknown };
    if (res.status !== 200) throw new Error(`${model}: HTTP ${res.status} ${JSON.stringify(body)}`);
    return body.choices![0]!.message.content.trim();
  };
  const launches = (name: string) => agent.text().split("\n").filter((l) => l.includes("deployment launched") && l.includes(`"deployment":"${name}"`)).length;

  beforeAll(async () => {
    await cleanupContainers({ "switchyard.node": NODE });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-ondemand-"));
    models.ping = path.join(dir, "ping.gguf");
    models.pong = path.join(dir, "pong.gguf");
    models.chatty = path.join(dir, "chatty.gguf"); // random weights: talks until max_tokens
    models.broken = path.join(dir, "broken.gguf");
    await writeTinyLlamaGguf(models.ping, { deterministicWord: "Ping" });
    await writeTinyLlamaGguf(models.pong, { deterministicWord: "Pong" });
    await writeTinyLlamaGguf(models.chatty, { seed: 7 });
    await fs.writeFile(models.broken, "GGUF but not really a model");
    const config = path.join(dir, "switchyard.yaml");
    await fs.writeFile(config, `apiKeys:\n  - {name: tests, key: ${GATEWAY_KEY}}\nroutes:\n  - {model: fallback, targets: [badimage/badimage, pong/pong]}\n`);
    server = await startServer({ env: { SWITCHYARD_CONFIG: config } });
    // The budget: what the server's own estimate says one of these models takes, and a half more.
    const fit = (await (await server.api("/api/fit", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: models.ping, engine: "llamacpp", ctx: 2048, backend: "cpu" }),
    })).json()) as { totalBytes: number };
    expect(fit.totalBytes).toBeGreaterThan(0);
    budget = Math.floor(fit.totalBytes * 1.5);
    agent = startDeployAgent(server, NODE, { portRange: "28400-28499", env: { SWITCHYARD_CPU_MEMORY: String(budget) } });
    await waitFor(`${NODE} online`, async () => {
      const nodes = (await (await server.api("/api/nodes")).json()) as Array<{ name: string; online: boolean; facts: { cpuMemoryBytes?: number } }>;
      return nodes.some((n) => n.name === NODE && n.online && n.facts.cpuMemoryBytes === budget);
    }, 30_000);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    await cleanupContainers({ "switchyard.node": NODE });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("`deploy --on-demand` registers without starting: exit 0 with its name, standby, no container", async () => {
    for (const [name, model] of [["ping", models.ping], ["pong", models.pong]] as const) {
      const r = await register(name, model, "--idle-timeout", "10m");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^${name} is registered on demand \\(standby, placed where it fits when it loads\\)`));
    }
    expect(await nodeContainers(NODE)).toEqual([]);
    const ps = await runCli(server, ["ps"]);
    expect(ps.stdout).toMatch(new RegExp(`ping\\s+${NODE}\\s+llamacpp\\s+cpu\\s+standby\\s+-`));
    const listed = (await (await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${GATEWAY_KEY}` } })).json()) as { data: Array<{ id: string }> };
    expect(listed.data.map((m) => m.id)).toEqual(expect.arrayContaining(["ping", "pong"]));
  });

  it("the first request loads it and is answered; requests that arrive meanwhile wait for the same start", async () => {
    const answers = await Promise.all([answer("ping"), answer("ping"), answer("ping"), answer("ping")]);
    expect(answers).toEqual(["Ping", "Ping", "Ping", "Ping"]);
    expect(launches("ping")).toBe(1);
    expect(await containersOf("ping")).toHaveLength(1);
    const v = await view("ping");
    expect(v).toMatchObject({ state: "ready", onDemand: { inFlight: 0, lastLoad: { ok: true } } });
    expect((await runCli(server, ["ps"])).stdout).toMatch(/ping\s+\S+\s+llamacpp\s+cpu\s+ready\s+http/);
    const log = (await (await server.api("/api/gateway/requests?limit=10&model=ping")).json()) as Array<{ loadWaitMs: number | null; status: number }>;
    expect(log.filter((r) => r.loadWaitMs !== null && r.loadWaitMs > 0)).toHaveLength(4);
    expect(log.every((r) => r.status === 200)).toBe(true);
  });

  it("swaps: the other model does not fit beside it, so the idle one is unloaded first", async () => {
    expect(await answer("pong")).toBe("Pong");
    expect(await containersOf("ping")).toEqual([]);
    expect(await containersOf("pong")).toHaveLength(1);
    expect(await view("ping")).toMatchObject({ state: "standby", endpoint: null });
    expect(await answer("ping")).toBe("Ping");
    expect(await containersOf("pong")).toEqual([]);
  });

  it("a long stream finishes before its model is evicted: the other start waits for it", async () => {
    expect((await register("chatty", models.chatty)).code).toBe(0);
    const stream = await chat("chatty", { stream: true, max_tokens: 300, ignore_eos: true });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const first = await reader.read(); // the stream is under way: chatty is leased
    expect(first.done).toBe(false);
    let streamEnded = 0;
    const rest = (async () => {
      let text = new TextDecoder().decode(first.value);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      streamEnded = Date.now();
      return text;
    })();
    const pingAnswered = answer("ping").then((a) => ({ a, at: Date.now() }));
    const text = await rest;
    const ping = await pingAnswered;
    expect(text).toContain("data: [DONE]");
    expect(text).toMatch(/"finish_reason":"length"/);
    expect(ping.a).toBe("Ping");
    expect(ping.at).toBeGreaterThanOrEqual(streamEnded);
    expect(await containersOf("chatty")).toEqual([]);
  }, 60_000);

  it("unloads after its idle timeout with nothing in flight: standby, container removed", async () => {
    expect((await register("sleepy", models.pong, "--idle-timeout", "2s")).code).toBe(0);
    expect(await answer("sleepy")).toBe("Pong");
    const [c] = await containersOf("sleepy");
    expect(c).toBeDefined();
    const v = await view("sleepy");
    expect(v.onDemand!.idleUnloadAt).toBeGreaterThan(Date.now() - 1000);
    await waitFor("sleepy idle-unloaded", async () => (await view("sleepy")).state === "standby", 20_000);
    expect(await containersOf("sleepy")).toEqual([]);
    expect((await runCli(server, ["stop", "sleepy"])).code).toBe(0);
  }, 40_000);

  it("`switchyard load` and `unload` by hand; `deploy --on-demand --preload`", async () => {
    const loaded = await runCli(server, ["load", "pong"]);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stdout).toMatch(/^pong is ready on \S+ in \d+\.\d s\nendpoint: http/);
    const unloaded = await runCli(server, ["unload", "pong"]);
    expect(unloaded.code, unloaded.stderr).toBe(0);
    expect(unloaded.stdout).toMatch(/pong unloaded: standby/);
    expect(await containersOf("pong")).toEqual([]);
    const pinned = await runCli(server, ["unload", "nope"]);
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toMatch(/no deployment named 'nope'/);

    // --preload: registered and started at once; the command waits until it serves.
    const eager = await register("eager", models.pong, "--preload");
    expect(eager.code, eager.stderr).toBe(0);
    expect(eager.stdout).toMatch(/^eager is ready on \S+ in \d+\.\d s\nendpoint: http/);
    expect(await containersOf("eager")).toHaveLength(1);
    expect((await runCli(server, ["stop", "eager"])).code).toBe(0);
  });

  it("a start that fails answers 503 with the cause and the engine's last log lines; a route moves on to its next target", async () => {
    const bad = await runCli(server, ["deploy", "llamacpp", models.pong, "--name", "badimage", "--gpus", "none", "--ctx", "2048", "--image", "switchyard/not-here:never", "--on-demand"]);
    expect(bad.code, bad.stderr).toBe(0);
    const res = await chat("badimage");
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { message: string; cause: string; deployment: string } };
    expect(body.error).toMatchObject({ deployment: "badimage", cause: "failed" });
    expect(body.error.message).toMatch(/switchyard\/not-here:never/);
    expect(await view("badimage")).toMatchObject({ state: "standby", reason: expect.stringMatching(/last load failed/) });

    expect((await register("broken", models.broken)).code).toBe(0);
    const crash = await chat("broken");
    expect(crash.status).toBe(503);
    const crashed = (await crash.json()) as { error: { message: string; logs: string[] } };
    expect(crashed.error.message).toMatch(/broken failed to start/);
    expect(crashed.error.logs.join("\n")).toMatch(/gguf|model/i);
    expect(await containersOf("broken")).toEqual([]);

    // The route's first target cannot load; its second answers.
    const fallback = await chat("fallback");
    expect(fallback.status).toBe(200);
    expect(((await fallback.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content.trim()).toBe("Pong");
    const [row] = (await (await server.api("/api/gateway/requests?limit=1&model=fallback")).json()) as Array<{ target: string; failovers: number }>;
    expect(row).toMatchObject({ target: "pong/pong", failovers: 1 });
  }, 60_000);

  it("a model too big for the budget is refused at deploy time with the fit's reason", async () => {
    const big = path.join(dir, "big.gguf");
    await writeTinyLlamaGguf(big, { embd: 512, ff: 1024, layers: 4, vocabSize: 8192 });
    const r = await register("big", big);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/big can never fit where it may run, even with every on-demand deployment there unloaded: it needs .* of the CPU memory budget of ondemand-it-\d+ \(SWITCHYARD_CPU_MEMORY\)/);
    expect((await (await server.api("/api/deployments/big")).json()).error.code).toBe("not_found");
  });
});
