/**
 * Several servers talk through the database, and the database is an edge like a socket: whatever
 * arrives on the channel is parsed with bounds and checked against its topic before anything acts
 * on it. Here: garbage and forged NOTIFY payloads, a reference to a huge row, and agents that try to
 * use the relay between servers to reach another node's log stream or answer its requests.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOY_ACTIONS, DEPLOY_EVENTS } from "../../protocol/deployments";
import { BUS_CHANNEL } from "../../server/cluster/bus-envelope";
import { clusterServer, clusterStats, nodeOn } from "../helpers/cluster-servers";
import { postgresDatabase, skipReason } from "../helpers/databases";
import { AGENT_TOKEN, ADMIN_TOKEN, waitFor, type TestServer } from "../helpers/processes";
import { enrolledAgent, honestDeployer, type RawAgent } from "../helpers/raw-agent";

const PREFIX = `busedge-${process.pid}`;

describe.skipIf(skipReason("postgres"))("the bus between servers, attacked from the database and from agents", () => {
  let url: string;
  let a: TestServer;
  let b: TestServer;
  let db: pg.Client;
  const agents: RawAgent[] = [];

  beforeAll(async () => {
    ({ url } = await postgresDatabase());
    a = await clusterServer(url);
    b = await clusterServer(url);
    db = new pg.Client({ connectionString: url });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    for (const x of agents) x.close();
    await db?.end();
    await Promise.all([a?.stop(), b?.stop()]);
    await (await postgresDatabase()).drop();
  });

  const notify = (payload: string) => db.query("select pg_notify($1, $2)", [BUS_CHANNEL, payload]);

  it("refuses malformed, forged and oversized messages, counts them, and keeps working", async () => {
    const refusedBefore = (await clusterStats(b)).bus.refused;
    const bad = [
      "not json at all",
      "{}",
      JSON.stringify({ v: 2, f: "srv", k: "fleet.views", b: {} }),
      JSON.stringify({ v: 1, f: "bad server id!", k: "fleet.views", b: { views: [] } }),
      JSON.stringify({ v: 1, f: "srv", k: "fleet.views", b: { views: [] }, r: 1 }),
      JSON.stringify({ v: 1, f: "srv", k: "fleet.views", b: { views: [{ view: { id: "x", name: "y".repeat(500) }, sampleTs: 1 }] } }),
      JSON.stringify({ v: 1, f: "srv", k: "relay.req", b: { id: "short", node: "n", action: "deployment.create", payload: {}, timeoutMs: 1e12 } }),
      JSON.stringify({ v: 1, f: "srv", k: "deployments.change", b: { op: "put", record: { id: "x" }, seq: -1 } }),
      JSON.stringify({ v: 1, f: "srv", k: "presence", b: { node: "n", server: "srv", address: "a".repeat(200), since: 1, held: true } }),
      JSON.stringify({ v: 1, f: "srv", k: "benchmark.cancel", b: { id: "../../" + "x".repeat(500) } }),
      JSON.stringify({ v: 1, f: "srv", k: "ondemand.activity", b: { busy: ["x".repeat(65)], last: [] } }),
      JSON.stringify({ v: 1, f: "srv", k: "ondemand.activity", b: { busy: [], last: [["x", -1]] } }),
      JSON.stringify({ v: 1, f: "srv", k: "ondemand.activity", b: { busy: "everything", last: [] } }),
      // Every other topic a server hears, each with a body its schema refuses.
      JSON.stringify({ v: 1, f: "srv", k: "relay.res", b: { id: "short", ok: true } }),
      JSON.stringify({ v: 1, f: "srv", k: "relay.res", b: { id: "r".repeat(16), ok: false, error: { code: "unavailable", message: "m".repeat(4001), unanswered: true } } }),
      JSON.stringify({ v: 1, f: "srv", k: "relay.evt", b: { node: "n".repeat(129), event: "deployment.log", payload: {} } }),
      JSON.stringify({ v: 1, f: "srv", k: "relay.evt", b: { node: "n", event: "e".repeat(65), payload: {} } }),
      JSON.stringify({ v: 1, f: "srv", k: "gateway.changed", b: { what: "everything" } }),
      JSON.stringify({ v: 1, f: "srv", k: "gateway.served", b: { model: "m", target: "t", ts: 1, hops: Array.from({ length: 17 }, () => ({ from: "a", to: null, why: "w" })) } }),
      JSON.stringify({ v: 1, f: "srv", k: "gateway.served", b: { model: "m".repeat(201), target: "t", ts: 1, hops: [] } }),
      JSON.stringify({ v: 1, f: "srv", k: "session.ended", b: { id: "../../etc/passwd" } }),
      JSON.stringify({ v: 1, f: "srv", k: "node.cut", b: { name: "n", reason: "r".repeat(301) } }),
      JSON.stringify({ v: 1, f: "srv", k: "node.cut", b: { name: "", reason: "" } }),
      JSON.stringify({ v: 1, f: "srv", k: "node.removed", b: { name: "n".repeat(129) } }),
      JSON.stringify({ v: 1, f: "srv", k: "server.hello", b: "hello" }),
      JSON.stringify({ v: 1, f: "srv", k: "server.gone", b: [] }),
    ];
    for (const payload of bad) await notify(payload);
    // A reference to a row far larger than the bus carries is refused without being read whole.
    const { rows } = await db.query<{ id: string }>("insert into cluster_messages (created_at, body) values ($1, repeat('x', 5 * 1024 * 1024)) returning id", [Date.now()]);
    await notify(JSON.stringify({ v: 1, f: "srv", k: "fleet.views", r: Number(rows[0]!.id) }));
    await notify(JSON.stringify({ v: 1, f: "srv", k: "fleet.views", r: 987654321 }));
    // PostgreSQL itself refuses a payload of 8000 bytes or more.
    await expect(notify("x".repeat(9000))).rejects.toThrow(/payload string too long/);

    await waitFor("every bad message refused", async () => (await clusterStats(b)).bus.refused - refusedBefore >= bad.length + 2, 10_000);
    expect((await b.api("/api/health")).status).toBe(200);

    // The database is trusted to say what it says: a well-formed view from it is shown, so the bus still works.
    const view = { id: `${PREFIX}-id`, name: `${PREFIX}-ghost`, online: true, lastSeen: Date.now(), agentVersion: "x", facts: null, driver: null, host: null, gpus: [], processes: [], warnings: [] };
    await notify(JSON.stringify({ v: 1, f: "srv", k: "fleet.views", b: { views: [{ view, sampleTs: null }] } }));
    await waitFor("the well-formed view applied", async () => (await nodeOn(b, `${PREFIX}-ghost`))?.online, 5000);
  });

  it("an agent cannot use the relay to reach another node's stream or answer its requests", async () => {
    const honest = (await enrolledAgent(a.url.replace(/^http/, "ws") + "/ws/agent", `${PREFIX}-honest`, AGENT_TOKEN)).agent;
    const mallory = (await enrolledAgent(a.url.replace(/^http/, "ws") + "/ws/agent", `${PREFIX}-mallory`, AGENT_TOKEN)).agent;
    agents.push(honest, mallory);
    honestDeployer(honest, [DEPLOY_ACTIONS.follow]);
    await waitFor("both on B", async () => (await nodeOn(b, `${PREFIX}-honest`))?.online && (await nodeOn(b, `${PREFIX}-mallory`))?.online, 10_000);

    // A deploy asked on B reaches honest on A through the relay.
    const created = await b.api("/api/deployments", {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ engine: "llamacpp", model: "/models/tiny.gguf", node: `${PREFIX}-honest`, gpus: "none", name: "relayed" }),
    });
    expect(created.status, await created.clone().text()).toBe(201);

    // Logs followed on B: the stream is opened on honest (on A); only honest's lines may come back.
    const opening = fetch(`${b.url}/api/deployments/relayed/logs?follow=1&tail=0`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const follow = await honest.request(DEPLOY_ACTIONS.follow);
    const streamId = (follow.payload as { streamId: string }).streamId;
    honest.send({ type: "response", v: 1, id: follow.id, ok: true, result: {} });
    const res = await opening;
    expect(res.status).toBe(200);
    let text = "";
    const reader = res.body!.getReader();
    void (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString();
      }
    })().catch(() => {});

    const droppedBefore = (await clusterStats(a)).relay.dropped;
    mallory.send({ type: "event", v: 1, event: DEPLOY_EVENTS.log, payload: { streamId, lines: ["injected by mallory"] } });
    mallory.send({ type: "event", v: 1, event: DEPLOY_EVENTS.logEnd, payload: { streamId, reason: "ended by mallory" } });
    // Mallory answers the request honest was asked, with its id: the hub counts it and ignores it.
    mallory.send({ type: "response", v: 1, id: follow.id, ok: true, result: { forged: true } });
    await waitFor("mallory's events dropped on A", async () => (await clusterStats(a)).relay.dropped - droppedBefore >= 2, 5000);
    honest.send({ type: "event", v: 1, event: DEPLOY_EVENTS.log, payload: { streamId, lines: ["a line from honest"] } });
    await waitFor("honest's line on B", () => text.includes("a line from honest"), 5000);
    expect(text).not.toContain("mallory");

    // Honest gone: the stream on B ends instead of hanging.
    honest.close();
    await waitFor("the stream ended on B", () => /event: end/.test(text), 10_000);
    await reader.cancel().catch(() => {});
  });
});
