/**
 * Fan-out with backpressure on real sockets: a dashboard that stops reading must not hold up a
 * fast one, and it is owed only the newest update per node once it reads again.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { LiveMessage } from "../../../protocol/live";
import { createAuth } from "../../../server/core/auth";
import { createSessions } from "../../../server/core/sessions";
import { sessionsRepo } from "../../../server/db/repos/sessions-repo";
import { createRequestAuth } from "../../../server/http/request-auth";
import { createFleet, type Fleet } from "../../../server/core/fleet";
import { openMemoryDatabase } from "../../../server/db/client";
import { nodesRepo } from "../../../server/db/repos/nodes-repo";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { createLiveHub, type LiveHub } from "../../../server/hub/live-hub";
import { sample } from "../../helpers/samples";
import { waitFor } from "../../helpers/wait";

const ADMIN = "admin-token-for-tests";
const facts = { hostname: "h", os: "linux", arch: "x64", cpuModel: null, cpuCores: 1, memTotalBytes: 1 };

describe("live hub", () => {
  let server: http.Server;
  let hub: LiveHub;
  const sockets: WebSocket[] = [];

  afterEach(async () => {
    sockets.forEach((s) => s.terminate());
    await hub?.close();
    await new Promise((r) => server?.close(r));
  });

  async function setup(): Promise<{ fleet: Fleet; url: string }> {
    const db = openMemoryDatabase();
    const auth = await createAuth(settingsRepo(db), { adminToken: ADMIN });
    const fleet = await createFleet(nodesRepo(db));
    const requestAuth = createRequestAuth(auth, createSessions(sessionsRepo(db)));
    hub = createLiveHub({ authorize: (req) => requestAuth.allowsUpgrade(req.headers), fleet });
    server = http.createServer();
    server.on("upgrade", (req, socket, head) => hub.handleUpgrade(req, socket, head));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return { fleet, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/live` };
  }

  function connect(url: string): Promise<{ ws: WebSocket; messages: LiveMessage[] }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${ADMIN}` } });
      sockets.push(ws);
      const messages: LiveMessage[] = [];
      ws.on("message", (d) => messages.push(JSON.parse(d.toString()) as LiveMessage));
      ws.once("open", () => resolve({ ws, messages }));
      ws.once("error", reject);
    });
  }

  it("refuses a browser without a session", async () => {
    const { url } = await setup();
    const status = await new Promise<number | undefined>((resolve) => {
      const ws = new WebSocket(url);
      ws.on("error", () => {});
      sockets.push(ws);
      ws.once("unexpected-response", (_q, res) => resolve(res.statusCode));
      ws.once("open", () => resolve(101));
    });
    expect(status).toBe(401);
  });

  it("keeps a fast dashboard current while a stalled one gets only the newest state per node", async () => {
    const { fleet, url } = await setup();
    const fast = await connect(url);
    const slow = await connect(url);
    // Stop reading on the slow client: the server's socket buffer fills up.
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    const ids = [await fleet.connect({ name: "a", agentVersion: "t", facts }), await fleet.connect({ name: "b", agentVersion: "t", facts })];
    // Big process lists make each update ~100 KB, so the stalled socket overflows quickly.
    const processes = Array.from({ length: 1200 }, (_, i) => ({ gpuUuid: "GPU-test-0", pid: i, name: `worker-${i}-${"x".repeat(40)}`, usedMiB: i }));
    const rounds = 150;
    for (let i = 0; i < rounds; i++) {
      for (const id of ids) await fleet.ingest(id, [sample(1_000_000 + i, { processes, warnings: [`round ${i}`] })]);
      await new Promise((r) => setImmediate(r));
    }
    const latest = (messages: LiveMessage[], name: string) => {
      const mine = messages.filter((m): m is Extract<LiveMessage, { type: "node" }> => m.type === "node" && m.node.name === name);
      return mine[mine.length - 1]?.node.warnings[0];
    };
    const final = `round ${rounds - 1}`;
    const until = (cond: () => boolean) => waitFor("the dashboards to catch up", cond, 10_000, 20);

    // The fast dashboard is current while the slow one is still stalled.
    await until(() => latest(fast.messages, "a") === final && latest(fast.messages, "b") === final);
    expect(latest(fast.messages, "a")).toBe(final);
    expect(latest(fast.messages, "b")).toBe(final);
    expect(slow.messages.filter((m) => m.type === "node").length).toBeLessThan(rounds * 2);

    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await until(() => latest(slow.messages, "a") === final && latest(slow.messages, "b") === final);
    expect(latest(slow.messages, "a")).toBe(final);
    expect(latest(slow.messages, "b")).toBe(final);
    // It skipped what it could not take in time instead of queueing every update.
    expect(slow.messages.filter((m) => m.type === "node").length).toBeLessThan(rounds * 2);
  });
});
