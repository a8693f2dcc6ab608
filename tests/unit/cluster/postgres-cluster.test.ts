/**
 * The PostgreSQL pieces of several servers, in one process against the run's real PostgreSQL: the
 * leader lock (one leader; taken over when its connection dies), per-node decision locks across
 * servers, and the bus (to all, to one, never to itself, large bodies through the table, in order,
 * and back after its connection is cut).
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createLogger } from "../../../lib/logger";
import { createPgBus } from "../../../server/cluster/pg-bus";
import { shareFailovers } from "../../../server/cluster/failover-feed";
import type { FinishedRequest } from "../../../server/core/alerts/trackers";
import { createPostgresCluster, type PostgresCluster } from "../../../server/cluster/pg-cluster";
import type { Bus } from "../../../server/cluster/bus";
import { PG_LOCKS } from "../../../server/db/pg-locks";
import { skipReason, useDatabases } from "../../helpers/databases";
import { waitFor } from "../../helpers/wait";

const log = createLogger("test");
const quick = { min: 50, max: 200 };

describe.skipIf(skipReason("postgres"))("several servers on one PostgreSQL database", () => {
  const databases = useDatabases("postgres");
  let url: string;
  const open: Array<{ close(): Promise<void> }> = [];
  const track = <T extends { close(): Promise<void> }>(x: T) => (open.push(x), x);

  beforeAll(async () => {
    await databases.open(); // applies the migrations (cluster_messages); closed after the first test
    url = (await databases.target()).databaseUrl!;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((x) => x.close()));
  });

  async function sql<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<T>(text, params)).rows;
    } finally {
      await c.end();
    }
  }

  /** The backend holding the leader lock (the one-key space splits a bigint into classid and objid). */
  const leaderBackend = async () =>
    (await sql<{ pid: number }>("select pid from pg_locks where locktype = 'advisory' and granted and classid = $1 and objid = $2 and objsubid = 1",
      [Math.floor(PG_LOCKS.leader / 2 ** 32), PG_LOCKS.leader % 2 ** 32]))[0]?.pid ?? null;

  const cluster = (id: string) => track(createPostgresCluster({ url, serverId: id, log, checkEveryMs: 100, retryMs: quick }));

  describe("the leader", () => {
    it("is one server; when its connection dies another takes over, and the first stops leading", async () => {
      const a = cluster("a");
      const b = cluster("b");
      const first = await waitFor("a leader", () => [a, b].find((c) => c.isLeader()));
      const other = first === a ? b : a;
      // Both keep trying: still one leader a while later.
      await waitFor("several rounds of tries", async () => (await leaderBackend()) !== null);
      expect([a, b].filter((c) => c.isLeader())).toEqual([first]);

      const changes: boolean[] = [];
      first.onLeaderChange((v) => changes.push(v));
      await sql("select pg_terminate_backend($1)", [await leaderBackend()]);
      await waitFor("the other server leads", () => other.isLeader(), 10_000);
      expect(first.isLeader()).toBe(false);
      expect(changes[0]).toBe(false);
    });

    it("a server that closes gives the lead away at once", async () => {
      const a = cluster("a");
      await waitFor("a leads", () => a.isLeader());
      const b = cluster("b");
      await a.close();
      await waitFor("b leads", () => b.isLeader(), 5000);
    });
  });

  describe("node locks", () => {
    it("one server at a time decides about a node; other nodes go on", async () => {
      const a: PostgresCluster = cluster("a");
      const b: PostgresCluster = cluster("b");
      const order: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let aHolds!: () => void;
      const held = new Promise<void>((r) => (aHolds = r));
      const first = a.withNodeLock("box1", async () => {
        order.push("a start");
        aHolds();
        await gate;
        order.push("a end");
      });
      await held;
      const second = b.withNodeLock("box1", async () => void order.push("b"));
      await b.withNodeLock("box2", async () => void order.push("b other node"));
      expect(order).toEqual(["a start", "b other node"]);
      release();
      await Promise.all([first, second]);
      expect(order).toEqual(["a start", "b other node", "a end", "b"]);
    });

    it("a failed decision releases the lock", async () => {
      const a = cluster("a");
      const b = cluster("b");
      await expect(a.withNodeLock("box1", async () => { throw new Error("no room"); })).rejects.toThrow("no room");
      expect(await b.withNodeLock("box1", async () => "next")).toBe("next");
    });
  });

  describe("the bus", () => {
    const bus = (id: string) => track(createPgBus({ url, serverId: id, log, retryMs: quick }));
    const up = (...buses: Bus[]) => waitFor("buses up", () => buses.every((b) => b.isUp()));
    const body = z.object({ n: z.number(), text: z.string() });

    it("carries messages to every other server, or to one, never back to the sender; large ones through the table, in order", async () => {
      const [a, b, c] = [bus("srv-a"), bus("srv-b"), bus("srv-c")];
      await up(a, b, c);
      const heard: Record<string, string[]> = { a: [], b: [], c: [] };
      for (const [name, x] of [["a", a], ["b", b], ["c", c]] as const) x.subscribe("test.msg", body, (m, from) => heard[name]!.push(`${from}:${m.n}:${m.text.length}`));
      const big = "x".repeat(200_000);
      await a.publish("test.msg", { n: 1, text: "small" });
      await a.publish("test.msg", { n: 2, text: big });
      await a.publish("test.msg", { n: 3, text: "after the big one" }, "srv-c");
      await waitFor("c heard all three", () => heard.c!.length === 3);
      await waitFor("b heard two", () => heard.b!.length === 2);
      expect(heard.c).toEqual(["srv-a:1:5", "srv-a:2:200000", "srv-a:3:17"]);
      expect(heard.b).toEqual(["srv-a:1:5", "srv-a:2:200000"]);
      expect(heard.a).toEqual([]);
    });

    it("refuses a body that does not match its topic, and goes on", async () => {
      const [a, b] = [bus("srv-a"), bus("srv-b")];
      await up(a, b);
      const got: number[] = [];
      b.subscribe("test.msg", body, (m) => void got.push(m.n));
      await a.publish("test.msg", { n: "one" });
      await a.publish("test.msg", { n: 2, text: "ok" });
      await waitFor("the good one", () => got.length === 1);
      expect(got).toEqual([2]);
      expect(b.stats().refused).toBe(1);
    });

    it("carries a change of the target serving a model to the leader's alerts, once per change, not once per request", async () => {
      const [a, b] = [bus("srv-a"), bus("srv-b")];
      await up(a, b);
      const local = new Set<(r: FinishedRequest) => void>();
      const gatewayA = { onFinished: (l: (r: FinishedRequest) => void) => (local.add(l), () => void local.delete(l)) };
      const feedA = shareFailovers({ bus: a, gateway: gatewayA, log });
      const feedB = shareFailovers({ bus: b, gateway: { onFinished: () => () => {} }, log });
      const heard: string[] = [];
      feedB.onFinished((r) => heard.push(`${r.modelAsked}→${r.target}${r.hops.length ? ` (${r.hops[0]!.why})` : ""}`));
      const served = (target: string, why?: string) => {
        for (const l of local) l({ modelAsked: "claude", target, status: 200, ts: Date.now(), hops: why ? [{ from: "cloud/claude", to: target, why }] : [] });
      };
      for (let i = 0; i < 50; i++) served("cloud/claude");
      served("box/qwen", "cloud: 529 overloaded");
      served("box/qwen", "cloud: 529 overloaded");
      for (const l of local) l({ modelAsked: "claude", target: "box/qwen", status: 502, ts: Date.now(), hops: [] });
      served("cloud/claude");
      await waitFor("three changes on B", () => heard.length === 3);
      expect(heard).toEqual(["claude→cloud/claude", "claude→box/qwen (cloud: 529 overloaded)", "claude→cloud/claude"]);
      feedA.close();
      feedB.close();
    });

    it("comes back after its connection is cut, and says so (to resync)", async () => {
      const [a, b] = [bus("srv-a"), bus("srv-b")];
      await up(a, b);
      let resyncs = 0;
      let downs = 0;
      b.onResync(() => void resyncs++);
      b.onDown(() => void downs++);
      const got: number[] = [];
      b.subscribe("test.msg", body, (m) => void got.push(m.n));
      await sql("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'switchyard-bus-listen' and pid <> pg_backend_pid()");
      await waitFor("b resynced", () => resyncs >= 1 && b.isUp(), 10_000);
      expect(downs).toBeGreaterThanOrEqual(1);
      await waitFor("a is up again too", () => a.isUp());
      await a.publish("test.msg", { n: 7, text: "again" });
      await waitFor("heard after the cut", () => got.includes(7));
    });
  });

  afterAll(async () => {
    await Promise.all(open.splice(0).map((x) => x.close()));
  });
});
