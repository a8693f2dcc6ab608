/**
 * The README's nginx front end (docs/examples/nginx-several-servers.conf), as written, in front of
 * two real servers on one PostgreSQL database: an agent given the one nginx address lands on either
 * server and, when that server is killed, is back through nginx on the other; the dashboard signs in
 * and watches /ws/live through it (WebSocket upgrade, no stickiness needed).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { LiveMessage } from "../../protocol/live";
import { startNginx, type Nginx } from "../../bench/gateway/nginx";
import { clusterServer, nodeOn } from "../helpers/cluster-servers";
import { postgresDatabase, skipReason } from "../helpers/databases";
import { realComponentsRequired } from "../helpers/docker";
import { ADMIN_TOKEN, ROOT, startAgent, waitFor, type Proc, type TestServer } from "../helpers/processes";

const BOX = `msnginx-${process.pid}-box`;
const EXAMPLE = path.join(ROOT, "docs", "examples", "nginx-several-servers.conf");
const hasNginx = fs.existsSync("/usr/sbin/nginx") || (process.env.PATH ?? "").split(":").some((d) => fs.existsSync(path.join(d, "nginx")));
if (!hasNginx && realComponentsRequired()) throw new Error("nginx is not installed: run scripts/install-test-deps.sh");
const skip = skipReason("postgres") ?? (hasNginx ? null : "nginx is not installed (scripts/test-deps/nginx.sh)");

/** The example with the two servers' addresses and a local port put in. */
function exampleFor(a: TestServer, b: TestServer) {
  return (port: number) => {
    const text = fs.readFileSync(EXAMPLE, "utf8")
      .replace("server 10.0.0.11:3000", `server 127.0.0.1:${a.port}`)
      .replace("server 10.0.0.12:3000", `server 127.0.0.1:${b.port}`)
      .replace("listen 80;", `listen 127.0.0.1:${port};`);
    if (text.includes("10.0.0.1")) throw new Error("the example's upstream servers changed: update this test");
    return text;
  };
}

describe.skipIf(skip !== null)(`several servers behind the README's nginx${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let a: TestServer;
  let b: TestServer;
  let nginx: Nginx;
  let box: Proc;

  beforeAll(async () => {
    const { url } = await postgresDatabase();
    const env = { SWITCHYARD_TRUSTED_PROXIES: "127.0.0.1" };
    [a, b] = await Promise.all([clusterServer(url, { env }), clusterServer(url, { env })]);
    nginx = await startNginx(exampleFor(a, b));
    box = startAgent({ server: nginx.url, name: BOX, gpus: "h100" });
  }, 120_000);

  afterAll(async () => {
    await box?.stop();
    await nginx?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await (await postgresDatabase()).drop();
  });

  it("the dashboard signs in and watches the fleet live through nginx", async () => {
    const signIn = await fetch(`${nginx.url}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
    expect(signIn.status).toBe(204);
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    const ws = new WebSocket(`${nginx.url.replace("http", "ws")}/ws/live`, { headers: { cookie } });
    const messages: LiveMessage[] = [];
    ws.on("message", (d) => messages.push(JSON.parse(d.toString()) as LiveMessage));
    try {
      await waitFor("live samples of the box through nginx", () => messages.filter((m) => m.type === "node" && m.node.name === BOX && m.sampleTs !== null).length >= 2, 30_000);
    } finally {
      ws.terminate();
    }
  });

  it("an agent with the one nginx address moves to the other server when its server is killed", async () => {
    const holder = await waitFor("the server holding the box", async () => {
      for (const s of [a, b]) if (((await (await s.api("/api/stats")).json()) as { connected: number }).connected > 0) return s;
      return null;
    }, 20_000);
    const other = holder === a ? b : a;
    const t0 = Date.now();
    await holder.proc.stop("SIGKILL");
    await waitFor("the box back on the other server", async () => {
      const stats = (await (await other.api("/api/stats")).json()) as { connected: number };
      const n = await nodeOn(other, BOX);
      return stats.connected > 0 && n?.online && (n.lastSeen ?? 0) > t0;
    }, 10_000, 100);
    // Through nginx, the API answers from the server left.
    const res = await fetch(`${nginx.url}/api/nodes/${BOX}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(((await res.json()) as { online: boolean }).online).toBe(true);
  });
});
