/**
 * The gateway's side of models on demand, in process, with a scripted load manager and a scripted
 * upstream: a cold target is loaded before anything is sent (the request log says how long it
 * waited); a load that fails is a 503 in the client's protocol naming the cause and the log lines,
 * and a route moves on to its next target; a warm target is leased for as long as its stream lasts;
 * cold targets of a tier go after the warm ones.
 */
import http from "node:http";
import type net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { RoutableBackend } from "../../../protocol/deployments";
import type { OnDemandGate } from "../../../server/core/ondemand";
import { LoadError } from "../../../server/core/ondemand/errors";
import { openMemoryDatabase } from "../../../server/db/client";
import { gatewayRepo } from "../../../server/db/repos/gateway-repo";
import { parseConfigText } from "../../../server/gateway/config/load";
import { Gateway } from "../../../server/gateway/gateway";
import { createGatewayHandler } from "../../../server/gateway/http";
import { planAttempts } from "../../../server/gateway/routing/plan";
import { json, scriptedUpstream, sse, withHealth, type Scripted } from "../../helpers/gateway";

const KEY = "sk-ondemand-test-1";
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A scripted load manager: `load` decides how a cold deployment's load ends. */
class FakeGate implements OnDemandGate {
  warm = new Set<string>();
  inFlight = new Map<string, number>();
  loads: string[] = [];
  load: (id: string) => Promise<void> = async (id) => void this.warm.add(id);
  private listeners = new Set<() => void>();
  tryLease(id: string) {
    if (!this.warm.has(id)) return null;
    this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + 1);
    return () => void this.inFlight.set(id, this.inFlight.get(id)! - 1);
  }
  async leaseWhenReady(id: string) {
    this.loads.push(id);
    await this.load(id);
    for (const l of this.listeners) l();
    return this.tryLease(id)!;
  }
  onChange(l: () => void) {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }
  async housekeep() {}
}

async function start(config: string, gate: FakeGate, upstream: Scripted, streamKeepAliveMs?: number) {
  const deployments = (): RoutableBackend[] => [{
    name: "cold", url: gate.warm.has("id-cold") ? upstream.url : "", api: "openai", model: "tiny", ready: gate.warm.has("id-cold"),
    onDemand: { id: "id-cold", warm: gate.warm.has("id-cold") },
  }];
  const gw = new Gateway({ config: parseConfigText(config), repo: gatewayRepo(openMemoryDatabase()), isAdminToken: () => false, deployments: { listRoutableBackends: deployments, ondemand: gate }, streamKeepAliveMs });
  await gw.start();
  const server = http.createServer(createGatewayHandler(gw));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  closers.push(() => gw.stop(), () => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { gw, post };
}

const chatBody = (model: string, stream = false) => ({ model, stream, messages: [{ role: "user", content: "hi" }] });

describe("on-demand targets in the gateway", () => {
  it("loads a cold deployment before sending, and logs how long the request waited", async () => {
    const upstream = await scriptedUpstream(withHealth((_req, res) => json(res, 200, { id: "x", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "Pong" }, finish_reason: "stop" }] })));
    closers.push(() => upstream.close());
    const gate = new FakeGate();
    let loaded!: () => void;
    gate.load = (id) => new Promise<void>((resolve) => (loaded = () => resolve(void gate.warm.add(id))));
    const { gw, post } = await start(`apiKeys: [{name: t, key: ${KEY}}]`, gate, upstream);
    const answer = post("/v1/chat/completions", chatBody("cold"));
    while (gate.loads.length === 0) await new Promise((r) => setImmediate(r));
    expect(upstream.calls()).toEqual([]); // nothing is sent to a cold engine
    loaded();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).choices[0].message.content).toBe("Pong");
    expect(gate.loads).toEqual(["id-cold"]);
    expect(gate.inFlight.get("id-cold")).toBe(0); // the lease ended with the response
    const [row] = await gw.requests({ limit: 1 });
    expect(row!.loadWaitMs).not.toBeNull();
    expect(row!.target).toBe("cold/tiny");
  });

  it("a failed load is a 503 naming the cause and the log lines, in the client's protocol", async () => {
    const upstream = await scriptedUpstream(withHealth((_req, res) => json(res, 500, {})));
    closers.push(() => upstream.close());
    const gate = new FakeGate();
    gate.load = async () => {
      throw new LoadError("cold", "failed", "cold failed to start on box1: the engine exited with code 1", ["error: unknown model architecture 'x'"]);
    };
    const { post } = await start(`apiKeys: [{name: t, key: ${KEY}}]`, gate, upstream);
    const openai = await post("/v1/chat/completions", chatBody("cold"));
    expect(openai.status).toBe(503);
    const o = (await openai.json()) as any;
    expect(o.error).toMatchObject({ type: "server_error", code: "load_failed", deployment: "cold", cause: "failed", logs: ["error: unknown model architecture 'x'"] });
    expect(o.error.message).toMatch(/cold failed to start on box1: the engine exited with code 1\n--- last log lines of cold ---\nerror: unknown model/);

    const anthropic = await post("/v1/messages", { model: "cold", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }, { "anthropic-version": "2023-06-01" });
    expect(anthropic.status).toBe(503);
    expect(((await anthropic.json()) as any)).toMatchObject({ type: "error", error: { type: "overloaded_error", cause: "failed" } });
    expect(upstream.calls()).toEqual([]);
  });

  it("a route moves on to its next target when the load fails; a cold standby after a cloud target answers when the cloud fails", async () => {
    const upstream = await scriptedUpstream(withHealth(async (_req, res) => {
      await sse(res, ['data: {"choices":[{"index":0,"delta":{"content":"Pong"}}]}\n\n', "data: [DONE]\n\n"]);
    }));
    const cloud = await scriptedUpstream((_req, res) => json(res, 529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }));
    closers.push(() => upstream.close(), () => cloud.close());
    const gate = new FakeGate();
    const config = `
apiKeys: [{name: t, key: ${KEY}}]
backends:
  - {name: cloud, url: "${cloud.url}", api: openai, kind: cloud, health: false}
  - {name: spare, url: "${upstream.url}", api: openai, health: false}
routes:
  - {model: standby, targets: [cloud/big, cold/tiny]}
  - {model: failing, targets: [cold/tiny, spare/tiny]}
`;
    const { gw, post } = await start(config, gate, upstream);
    const res = await post("/v1/chat/completions", chatBody("standby", true));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Pong");
    expect(gate.loads).toEqual(["id-cold"]);
    const [row] = await gw.requests({ limit: 1 });
    expect(row).toMatchObject({ target: "cold/tiny", failovers: 1 });

    gate.warm.clear();
    gate.load = async () => {
      throw new LoadError("cold", "no_room", "cold cannot start now: it needs 2 GiB of GPU 0 of box1");
    };
    const moved = await post("/v1/chat/completions", chatBody("failing", true));
    expect(moved.status).toBe(200);
    expect(await moved.text()).toContain("Pong");
    const [second] = await gw.requests({ limit: 1 });
    expect(second).toMatchObject({ target: "spare/tiny", failovers: 1, error: null });
  });

  it("a stream that waits long for its load is held open with SSE comments; the answer (or a failover) then fills it", async () => {
    const upstream = await scriptedUpstream(withHealth(async (_req, res) => {
      await sse(res, ['data: {"choices":[{"index":0,"delta":{"content":"Pong"}}]}\n\n', "data: [DONE]\n\n"]);
    }));
    closers.push(() => upstream.close());
    const gate = new FakeGate();
    let loaded!: () => void;
    gate.load = (id) => new Promise<void>((resolve) => (loaded = () => resolve(void gate.warm.add(id))));
    const { gw, post } = await start(`apiKeys: [{name: t, key: ${KEY}}]`, gate, upstream, 20);
    const res = await post("/v1/chat/completions", chatBody("cold", true));
    // The head came before any backend answered: 200, SSE.
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^: waiting for cold to load \(\d+ s\)\n\n/);
    loaded();
    let text = first;
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
    expect(text).toMatch(/"content":"Pong"[\s\S]*data: \[DONE\]/);
    const [row] = await gw.requests({ limit: 1 });
    expect(row).toMatchObject({ status: 200, target: "cold/tiny" });
  });

  it("a held-open stream whose load fails ends with one error event in the client's protocol", async () => {
    const upstream = await scriptedUpstream(withHealth((_req, res) => json(res, 500, {})));
    closers.push(() => upstream.close());
    const gate = new FakeGate();
    let fail!: () => void;
    gate.load = () => new Promise<void>((_resolve, reject) => (fail = () => reject(new LoadError("cold", "timeout", "cold did not become ready within its load timeout (600 s; still loading)", ["llama_model_load: …"]))));
    const { post } = await start(`apiKeys: [{name: t, key: ${KEY}}]`, gate, upstream, 20);
    const res = await post("/v1/messages", { model: "cold", max_tokens: 8, stream: true, messages: [{ role: "user", content: "hi" }] }, { "anthropic-version": "2023-06-01" });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    fail();
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
    expect(text).toMatch(/^: waiting for cold to load/);
    const event = /event: error\ndata: (.*)\n\n$/.exec(text);
    expect(JSON.parse(event![1]!)).toMatchObject({ type: "error", error: { type: "overloaded_error", message: expect.stringMatching(/cold did not become ready/) } });
  });

  it("plans cold targets of a tier after the warm ones", () => {
    const tiers = [[{ backend: "cold", model: "m", id: "cold/m" }, { backend: "warm", model: "m", id: "warm/m" }]];
    const state = { availability: () => "up" as const, outstanding: (b: string) => (b === "warm" ? 5 : 0), cold: (b: string) => b === "cold" };
    expect(planAttempts(tiers, state).map((t) => t.backend)).toEqual(["warm", "cold"]);
  });
});
