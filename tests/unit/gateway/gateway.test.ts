/**
 * The Gateway object over an in-memory database with the real migrations: loading keys and routes
 * through the async repository, the dashboard's status view, the request log, metric labels, and
 * per-backend state that must not outlive its backend.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { RoutableBackend } from "../../../protocol/deployments";
import { openMemoryDatabase, type DbHandle } from "../../../server/db/client";
import { gatewayRepo } from "../../../server/db/repos/gateway-repo";
import { parseConfigText } from "../../../server/gateway/config/load";
import type { RequestRecord } from "../../../server/gateway/exchange";
import { Gateway } from "../../../server/gateway/gateway";
import { newRecord } from "../../../server/gateway/handlers/proxy";
import { GatewayMetrics } from "../../../server/gateway/observe/gateway-metrics";

let handle: DbHandle | null = null;
let gateway: Gateway | null = null;
afterEach(async () => {
  await gateway?.stop();
  handle?.close();
  gateway = null;
  handle = null;
});

const CONFIG = `
apiKeys:
  - {name: laptop, key: sk-example-123}
backends:
  - {name: box1, url: "http://127.0.0.1:9", api: openai, health: false}
routes:
  - {model: chat, targets: [box1/qwen]}
`;

function makeGateway(deployments: RoutableBackend[] = [], dbHandle: DbHandle = openMemoryDatabase()): Gateway {
  handle = dbHandle;
  let now = 1_000_000;
  gateway = new Gateway({
    config: parseConfigText(CONFIG), repo: gatewayRepo(dbHandle), isAdminToken: () => false,
    deployments: { listRoutableBackends: () => deployments }, now: () => (now += 1000),
  });
  return gateway;
}

function record(over: Partial<RequestRecord>): RequestRecord {
  return { ...newRecord("chat", "openai", 1_000_000), status: 200, ...over };
}

describe("Gateway", () => {
  it("serves only once keys and routes are loaded, and is then ready", async () => {
    const gw = makeGateway();
    await gw.ready;
    expect(gw.isReady()).toBe(true);
    expect(gw.keys.authenticate("sk-example-123")?.name).toBe("laptop");
    await gw.routes.save({ model: "from-ui", targets: ["box1/other"] });
    expect(gw.resolve("from-ui")?.tiers[0]![0]!.id).toBe("box1/other");
  });

  it("reads dashboard routes back from the database at the next start", async () => {
    const db = openMemoryDatabase();
    const first = makeGateway([], db);
    await first.ready;
    await first.routes.save({ model: "kept", targets: ["box1/x"] });
    const second = new Gateway({ config: parseConfigText(CONFIG), repo: gatewayRepo(db), isAdminToken: () => false });
    await second.ready;
    expect(second.resolve("kept")?.source).toBe("ui");
    await second.routes.remove("kept");
    expect(second.resolve("kept")).toBeNull();
  });

  it("status joins health, traffic and routes, deployments by name among them", async () => {
    const gw = makeGateway([{ name: "qwen3-8b", url: "http://127.0.0.1:9", api: "openai", model: "Qwen/Qwen3-8B", ready: true }]);
    await gw.ready;
    gw.finished(record({ modelAsked: "chat", target: "box1/qwen", ttftMs: 40 }), null);
    const status = gw.status();
    expect(status.backends.map((b) => b.name).sort()).toEqual(["box1", "qwen3-8b"]);
    expect(status.routes.map((r) => [r.model, r.source])).toEqual([["chat", "config"], ["qwen3-8b", "deployment"]]);
    expect(status.routes[0]!.tiers[0]![0]).toMatchObject({ id: "box1/qwen", perMinute: 1, errors: 0, avgTtftMs: 40 });
    expect(status.routes[1]!.targets).toEqual([["qwen3-8b/Qwen/Qwen3-8B"]]);
    expect(status.recent[0]).not.toHaveProperty("hops");
    expect(status.recent[0]).not.toHaveProperty("body");
  });

  it("the request log is written in batches and read back newest first, without bodies", async () => {
    const gw = makeGateway();
    await gw.ready;
    gw.finished(record({ modelAsked: "a", body: "{secret}" }), null);
    gw.finished(record({ modelAsked: "b", status: 503, error: "box1: refused" }), null);
    const rows = await gw.requests({ limit: 10 });
    expect(rows.map((r) => r.modelAsked)).toEqual(["b", "a"]);
    expect(rows[0]).not.toHaveProperty("body");
    expect((await gw.requests({ limit: 10, failedOnly: true })).map((r) => r.modelAsked)).toEqual(["b"]);
  });

  // Deployment names are new with each deploy: an agent per name, kept forever, was a slow leak.
  it("drops the upstream agents and count_tokens memory of backends that are gone", async () => {
    const deployments: RoutableBackend[] = [{ name: "dep-1", url: "http://127.0.0.1:9", api: "openai", model: "m", ready: true }];
    const gw = makeGateway(deployments);
    await gw.ready;
    gw.pool.targetFor("box1", "http://127.0.0.1:9");
    gw.pool.targetFor("dep-1", "http://127.0.0.1:9");
    gw.countTokensUnsupported.set("dep-1", "http://127.0.0.1:9");
    gw.countTokensUnsupported.set("box1", "http://127.0.0.1:9");
    gw.forgetGoneBackends();
    expect(gw.pool.size()).toBe(2);
    deployments.length = 0;
    gw.invalidate();
    gw.forgetGoneBackends();
    expect(gw.pool.size()).toBe(1);
    expect([...gw.countTokensUnsupported.keys()]).toEqual(["box1"]);
  });

  it("keeps count_tokens memory per Gateway", async () => {
    const a = makeGateway();
    a.countTokensUnsupported.set("box1", "http://127.0.0.1:9");
    const other = new Gateway({ config: parseConfigText(CONFIG), repo: gatewayRepo(handle!), isAdminToken: () => false });
    await other.ready;
    expect(other.countTokensUnsupported.size).toBe(0);
    await other.stop();
  });
});

describe("metric labels", () => {
  // Only 404s were folded before: a 403 or 400 put whatever model name a client sent into a label.
  it("a request no target was chosen for is counted under (unrouted), whatever its status", () => {
    const m = new GatewayMetrics();
    for (const [status, model] of [[404, "made-up-1"], [403, "made-up-2"], [400, "made-up-3"], [401, null]] as const) {
      m.record(record({ status, modelAsked: model, target: null }));
    }
    m.record(record({ modelAsked: "chat", target: "box1/qwen" }));
    const text = m.render(new Map());
    expect(text).not.toContain("made-up");
    expect(text).toMatch(/switchyard_gateway_requests_total\{model="\(unrouted\)",target="",status="403",endpoint="chat"\} 1/);
    expect(text).toMatch(/switchyard_gateway_requests_total\{model="chat",target="box1\/qwen",status="200",endpoint="chat"\} 1/);
  });

  it("counts by model, target, status and endpoint, across the clearing of its label cache", () => {
    const m = new GatewayMetrics();
    const series = (model: string, status: number, endpoint: string) =>
      new RegExp(`switchyard_gateway_requests_total\\{model="${model}",target="box1/${model}",status="${status}",endpoint="${endpoint}"\\} (\\d+)`);
    m.record(record({ modelAsked: "kept", target: "box1/kept", status: 200, endpoint: "chat" }));
    m.record(record({ modelAsked: "kept", target: "box1/kept", status: 429, endpoint: "chat" }));
    m.record(record({ modelAsked: "kept", target: "box1/kept", status: 200, endpoint: "messages" }));
    // `box1/anything` names are the client's: more of them than the cache holds.
    for (let i = 0; i < 10_050; i++) m.record(record({ modelAsked: `m${i}`, target: `box1/m${i}` }));
    m.record(record({ modelAsked: "kept", target: "box1/kept", status: 200, endpoint: "chat" }));
    const text = m.render(new Map());
    expect(series("kept", 200, "chat").exec(text)?.[1]).toBe("2");
    expect(series("kept", 429, "chat").exec(text)?.[1]).toBe("1");
    expect(series("kept", 200, "messages").exec(text)?.[1]).toBe("1");
    expect(series("m0", 200, "chat").exec(text)?.[1]).toBe("1");
    expect(series("m10049", 200, "chat").exec(text)?.[1]).toBe("1");
  });
});
