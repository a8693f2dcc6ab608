/**
 * What anyone on the LAN can do with the unauthenticated installer routes (`/agent/*`): read them
 * (they hold no secret), and send hostile requests. The Host header lands in a script that runs as
 * root, so anything but a plain host[:port] is refused rather than echoed.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { ADMIN_TOKEN, AGENT_TOKEN, startServer, type TestServer } from "../helpers/processes";

/** One request written byte for byte (HTTP clients refuse to send most hostile headers). */
function raw(server: TestServer, opts: { path: string; method?: string; host?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const end = text.indexOf("\r\n\r\n");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), body: end < 0 ? "" : text.slice(end + 4) });
    });
    const host = opts.host ?? `127.0.0.1:${server.port}`;
    socket.end(Buffer.from(`${opts.method ?? "GET"} ${opts.path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, "latin1"));
  });
}

describe("the installer routes under attack", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it("serve the script and the agent without auth, and neither holds a token of the server", async () => {
    for (const path of ["/agent/install.sh", "/agent/switchyard-agent.mjs"]) {
      const res = await server.api(path, { token: null });
      expect(res.status, path).toBe(200);
      const body = await res.text();
      expect(body).not.toContain(AGENT_TOKEN);
      expect(body).not.toContain(ADMIN_TOKEN);
    }
  });

  it("refuse a Host header that is not a plain host[:port] instead of writing it into the script", async () => {
    for (const host of ["x';touch /tmp/pwned;'", "$(id)", "a`id`", "gpu.lan:3000/evil", "gpu lan", "x".repeat(300), ""]) {
      const r = await raw(server, { path: "/agent/install.sh", host });
      expect(r.status, host).toBe(400);
      expect(r.body, host).not.toContain(host || "SERVED_BY");
    }
    const ok = await raw(server, { path: "/agent/install.sh", host: "[fe80::1]:3000" });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("SERVED_BY='http://[fe80::1]:3000'");
  });

  it("any Host header, thousands of them, gives a 200 script with exactly that origin or a 400: never shell syntax, never a 5xx", async () => {
    const script = await (await server.api("/agent/install.sh", { token: null })).text();
    const expected = (origin: string) => script.replace(/^SERVED_BY='[^']*'$/m, `SERVED_BY='${origin}'`);
    await fc.assert(fc.asyncProperty(fc.string({ unit: "binary-ascii", maxLength: 80 }), async (host) => {
      if (/[\r\n]/.test(host)) return; // would end the header line: another request, not another Host
      const r = await raw(server, { path: "/agent/install.sh", host });
      expect([200, 400]).toContain(r.status);
      // A server strips the header's outer whitespace, as RFC 9110 says.
      if (r.status === 200) expect(r.body).toBe(expected(`http://${host.trim()}`));
    }), { numRuns: 1500 });
  });

  it("answer other methods, paths and encodings with 4xx, and reach nothing else through them", async () => {
    expect((await raw(server, { path: "/agent/install.sh", method: "POST" })).status).toBe(405);
    expect((await raw(server, { path: "/agent/install.sh", method: "DELETE" })).status).toBe(405);
    // Paths are made canonical before routing (server/http/request-target.ts): a climb out of
    // /agent/ is the API path it names, behind the API's credentials like any other request.
    for (const [path, status] of [
      ["/agent/", 404], ["/agent/switchyard-agent.mjs.map", 404],
      ["/agent/../api/nodes", 401], ["/agent/%2e%2e/api/nodes", 401], ["/agent/install.sh/../../api/nodes", 401],
      ["/agent/%ZZ", 400],
      // Around the fast path for targets already canonical: each of these is one character away
      // from one it serves as it came, and must still be resolved (or refused) like any other.
      ["/agent//../api/nodes", 401], ["/agent/./../api/nodes", 401], ["/agent/.%2e/api/nodes", 401], ["/agent\\..\\api\\nodes", 401],
      ["/agent/../api/nodes?x=%41", 401], ["/agent/../api/nodes/", 401], ["/agent/install.sh?x=%zz", 400], ["/agent/install.sh/..", 302],
      ["/agent/..;/api/nodes", 404], ["/agent/.../api/nodes", 404],
    ] as const) {
      const r = await raw(server, { path });
      expect(r.status, path).toBe(status);
      expect(r.body, path).not.toContain("online");
    }
    const head = await raw(server, { path: "/agent/switchyard-agent.mjs", method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
  });
});
