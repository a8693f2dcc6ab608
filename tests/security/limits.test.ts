/**
 * Unauthenticated resource use, played against the real server over real sockets. What broke
 * before: no body limit on /api (a 50 MB unauthenticated sign-in body was read and parsed whole;
 * server memory 0.7 → 1.1 GiB), slow bodies held connections forever (requestTimeout 0), and the
 * sign-in limiter counted a guess only after its body arrived, so slow-body guesses all got through.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { memoryOf, openRaw, requestHead } from "../helpers/raw-http";
import { ADMIN_TOKEN, startServer, waitFor, type TestServer } from "../helpers/processes";

const MiB = 1 << 20;

describe("limits on what an unauthenticated client can make the server hold", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("counts a sign-in attempt before its body arrives: slow-body guesses cannot all get through", async () => {
    const body = JSON.stringify({ token: "wrong-guess-00000" });
    // Thirty guesses open at once, each stopping one byte short of its body.
    const conns = await Promise.all(Array.from({ length: 30 }, async () => {
      const conn = await openRaw(server.port, requestHead("POST", "/api/session", { "content-type": "application/json", "content-length": body.length }));
      await conn.write(body.slice(0, -1));
      return conn;
    }));
    // All but the two that may be open at once are refused while every guess still lacks its last byte.
    let answered = 0;
    conns.forEach((c) => void c.answer.then(() => (answered += 1)));
    await waitFor("refusals of the guesses beyond the concurrency cap", () => answered >= conns.length - 2);
    for (const c of conns) await c.write(body.slice(-1));
    const statuses = await Promise.all(conns.map(async (c) => (await c.answer).status));
    const judged = statuses.filter((s) => s === 401).length;
    expect(statuses.every((s) => s === 401 || s === 429), statuses.join(",")).toBe(true);
    expect(judged).toBeGreaterThanOrEqual(1);
    expect(judged).toBeLessThanOrEqual(2);
    conns.forEach((c) => c.socket.destroy());
    // The real token is now refused as well, until the window passes (10 failures a minute).
    for (let i = 0; i < 10; i++) await fetch(`${server.url}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const res = await fetch(`${server.url}/api/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: ADMIN_TOKEN }) });
    expect(res.status).toBe(429);
  });

  it("refuses a declared body over the limit with a 413 JSON error before reading a byte of it", async () => {
    for (const path of ["/api/session", "/api/nodes", "/api/deployments", "/api/gateway/keys", "/api/nope"]) {
      const conn = await openRaw(server.port, requestHead("POST", path, { "content-type": "application/json", "content-length": 50 * MiB }));
      // No body is ever sent: an answer can only come from the headers.
      const answer = await conn.answer;
      expect(answer.status, path).toBe(413);
      expect(JSON.parse(answer.body).error.code).toBe("payload_too_large");
      await conn.closed; // closed, not drained
    }
  });

  it("cuts a chunked body as it passes the limit, answering 413 and closing the connection", async () => {
    // Signed in, so the route does read the body: the cut comes while reading, at 1 MiB.
    const conn = await openRaw(server.port, requestHead("POST", "/api/gateway/keys", { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json", "transfer-encoding": "chunked" }));
    const chunk = Buffer.alloc(64 * 1024, "a");
    let sent = 0;
    let answered = false;
    void conn.answer.then(() => (answered = true));
    while (!answered && sent < 64 * MiB && !conn.socket.destroyed) {
      await conn.write(`${chunk.length.toString(16)}\r\n`);
      await conn.write(chunk);
      await conn.write("\r\n");
      sent += chunk.length;
    }
    const answer = await conn.answer;
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.message).toMatch(/larger than 1 MiB \(1048576 bytes\)/);
    expect(sent).toBeLessThan(16 * MiB);
    await conn.closed;
  });

  it("keeps memory flat and keeps serving under a flood of large unauthenticated bodies", async () => {
    const pid = server.proc.child.pid!;
    const before = await memoryOf(pid);
    let peak = before.rss;
    const sampler = setInterval(() => void memoryOf(pid).then((m) => (peak = Math.max(peak, m.rss)), () => {}), 20);
    const chunk = Buffer.alloc(256 * 1024, "{");
    const flood = async (i: number) => {
      // Half declare their size, half stream chunked; all of them aim at routes that read bodies.
      const chunked = i % 2 === 0;
      const path = ["/api/session", "/api/fit", "/api/deployments", "/api/gateway/routes"][i % 4]!;
      const conn = await openRaw(server.port, requestHead("POST", path, chunked
        ? { "content-type": "application/json", "transfer-encoding": "chunked" }
        : { "content-type": "application/json", "content-length": 40 * MiB }));
      let answered = false;
      void conn.answer.then(() => (answered = true));
      for (let sent = 0; sent < 40 * MiB && !answered && !conn.socket.destroyed; sent += chunk.length) {
        await conn.write(chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]) : chunk);
      }
      const answer = await conn.answer;
      conn.socket.destroy();
      return answer.status;
    };
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => flood(i)));
    // Unauthenticated: 413 where the size is known first, 401 where the credentials check comes
    // first, 429 for sign-ins beyond the limiter's cap. Never the body read whole.
    expect(statuses.every((s) => s === 413 || s === 401 || s === 429), statuses.join(",")).toBe(true);
    clearInterval(sampler);
    // 40 bodies of 40 MiB: read whole, even a few at a time, they would add hundreds of MiB.
    const growth = `RSS ${(before.rss / MiB) | 0} MiB before, peak ${(peak / MiB) | 0} MiB during the flood`;
    if (process.env.SWITCHYARD_TEST_VERBOSE) process.stderr.write(`${growth}\n`);
    expect(peak - before.rss, growth).toBeLessThan(150 * MiB);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it("closes a request whose body is not complete within 30 s by 45 s, without cutting a live WebSocket", async () => {
    const started = Date.now();
    const live = new WebSocket(`${server.url.replace("http", "ws")}/ws/live`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    await new Promise((resolve, reject) => {
      live.once("open", resolve);
      live.once("error", reject);
    });
    // Signed in, so the route waits for the body that never completes.
    const slow = await openRaw(server.port, requestHead("POST", "/api/gateway/keys", { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json", "content-length": 100 }));
    await slow.write('{"name":');
    // A slow drip keeps it from looking idle; it must be cut on the clock all the same.
    const drip = setInterval(() => void slow.write(" "), 5000);
    await slow.closed;
    clearInterval(drip);
    expect((await slow.answer).status).not.toBe(201);
    const heldMs = Date.now() - started;
    expect(heldMs).toBeGreaterThanOrEqual(29_000);
    expect(heldMs).toBeLessThanOrEqual(47_000);
    expect(live.readyState).toBe(WebSocket.OPEN);
    live.close();
  }, 70_000);
});
