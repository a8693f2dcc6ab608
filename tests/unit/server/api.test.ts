import { beforeEach, describe, expect, it } from "vitest";
import type { NodeHistory, NodeView } from "../../../protocol/live";
import { createApi } from "../../../server/api/app";
import { createAuth, type Auth } from "../../../server/core/auth";
import { createSessions } from "../../../server/core/sessions";
import { sessionsRepo } from "../../../server/db/repos/sessions-repo";
import { createFleet, type Fleet } from "../../../server/core/fleet";
import { createHistory, type History } from "../../../server/core/history";
import { nodesRepo } from "../../../server/db/repos/nodes-repo";
import { samplesRepo } from "../../../server/db/repos/samples-repo";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { TEST_DIALECTS, skipReason, useDatabases } from "../../helpers/databases";
import { sample } from "../../helpers/samples";

const ADMIN = "admin-token-for-tests";
const facts = { hostname: "box1", os: "linux", arch: "x64", cpuModel: null, cpuCores: 2, memTotalBytes: 8e9 };

for (const dialect of TEST_DIALECTS) describe.skipIf(skipReason(dialect))(`REST API on ${dialect}`, () => {
  const databases = useDatabases(dialect);
  let api: ReturnType<typeof createApi>;
  let fleet: Fleet;
  let history: History;
  let auth: Auth;
  const authed = { headers: { authorization: `Bearer ${ADMIN}` } };

  beforeEach(async () => {
    const db = await databases.open();
    auth = await createAuth(settingsRepo(db), { adminToken: ADMIN });
    fleet = await createFleet(nodesRepo(db));
    history = createHistory(samplesRepo(db));
    api = createApi({ auth, sessions: createSessions(sessionsRepo(db)), fleet, history, isReady: () => true, hubStats: () => ({ connected: 0, messages: 0, malformed: 0, refused: 0, liveClients: 0 }) });
  });

  it("answers health without auth", async () => {
    const res = await api.request("/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("refuses /api/nodes without the admin token, with a JSON error", async () => {
    const res = await api.request("/api/nodes");
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unauthorized");
    expect(body.error.message).toMatch(/admin token/);
    expect((await api.request("/api/nodes", { headers: { authorization: "Bearer nope" } })).status).toBe(401);
  });

  it("signs in with the admin token and then accepts the session cookie", async () => {
    const bad = await api.request("/api/session", { method: "POST", body: JSON.stringify({ token: "nope" }), headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(401);
    const notJson = await api.request("/api/session", { method: "POST", body: "token=x" });
    expect(notJson.status).toBe(400);
    const res = await api.request("/api/session", { method: "POST", body: JSON.stringify({ token: ADMIN }), headers: { "content-type": "application/json" } });
    expect(res.status).toBe(204);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/sy_session=.+HttpOnly/i);
    const nodes = await api.request("/api/nodes", { headers: { cookie: cookie.split(";")[0]! } });
    expect(nodes.status).toBe(200);
  });

  it("refuses cookie-authenticated changes from another origin (CSRF), but not reads", async () => {
    const res = await api.request("/api/session", { method: "POST", body: JSON.stringify({ token: ADMIN }), headers: { "content-type": "application/json" } });
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
    const host = "gpu.lan:3000";
    const write = (origin?: string) =>
      api.request(`http://${host}/api/nodes`, { method: "POST", body: "{}", headers: { cookie, host, "content-type": "application/json", ...(origin ? { origin } : {}) } });
    const cross = await write("http://gpu.lan:8080");
    expect(cross.status).toBe(403);
    expect(((await cross.json()) as { error: { message: string } }).error.message).toMatch(/cross-origin/);
    expect((await write()).status).toBe(403);
    expect((await write(`http://${host}`)).status).toBe(404); // passes the check; there is no such route
    expect((await api.request(`http://${host}/api/nodes`, { headers: { cookie, host, origin: "http://evil" } })).status).toBe(200);
    // Scripts with the admin token are not browsers: no Origin needed.
    expect((await api.request(`http://${host}/api/nodes`, { method: "POST", body: "{}", headers: { ...authed.headers, host } })).status).toBe(404);
  });

  it("slows down token guessing with 429 and Retry-After", async () => {
    const attempt = (token: string) => api.request("/api/session", { method: "POST", body: JSON.stringify({ token }), headers: { "content-type": "application/json" } });
    for (let i = 0; i < 10; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const limited = await attempt(ADMIN);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
  });

  it("lists a node with its GPUs and processes once its agent sent telemetry", async () => {
    const id = await fleet.connect({ name: "box1", agentVersion: "0.1.0", facts });
    await fleet.ingest(id, [sample(Date.now())]);
    const nodes = (await (await api.request("/api/nodes", authed)).json()) as NodeView[];
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ name: "box1", online: true, driver: { version: "590.48.01" } });
    expect(nodes[0]!.gpus.map((g) => g.uuid)).toEqual(["GPU-test-0", "GPU-test-1"]);
    expect(nodes[0]!.processes[0]!.name).toBe("python3 -m vllm, serve");
    const one = await api.request("/api/nodes/box1", authed);
    expect(one.status).toBe(200);
    const missing = await api.request("/api/nodes/nope", authed);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/known: box1/);
  });

  it("removes an offline node with its history, but not an online one", async () => {
    const id = await fleet.connect({ name: "old-box", agentVersion: "0.1.0", facts });
    const samples = [sample(Date.now() - 1000)];
    history.record(id, samples);
    await fleet.ingest(id, samples);
    const online = await api.request("/api/nodes/old-box", { ...authed, method: "DELETE" });
    expect(online.status).toBe(409);
    expect(((await online.json()) as { error: { message: string } }).error.message).toMatch(/is online: stop its agent first/);
    await fleet.disconnect(id);
    expect((await api.request("/api/nodes/old-box", { ...authed, method: "DELETE" })).status).toBe(204);
    expect((await api.request("/api/nodes/old-box", authed)).status).toBe(404);
    expect((await (await api.request("/api/nodes", authed)).json()) as NodeView[]).toEqual([]);
    // Its history went with it: a new node of the same name starts empty.
    const again = await fleet.connect({ name: "old-box", agentVersion: "0.1.0", facts });
    await fleet.ingest(again, [sample(Date.now())]);
    const h = (await (await api.request("/api/nodes/old-box/history?range=5m", authed)).json()) as NodeHistory;
    expect(h.gpus[0]!.points).toEqual([]);
    expect((await api.request("/api/nodes/nope", { ...authed, method: "DELETE" })).status).toBe(404);
  });

  it("serves history at 1 s for short ranges and validates the range", async () => {
    const id = await fleet.connect({ name: "box1", agentVersion: "0.1.0", facts });
    const now = Date.now();
    const samples = [sample(now - 3000), sample(now - 2000), sample(now - 1000)];
    history.record(id, samples);
    await fleet.ingest(id, samples);
    const res = await api.request("/api/nodes/box1/history?range=5m", authed);
    expect(res.status).toBe(200);
    const h = (await res.json()) as NodeHistory;
    expect(h.resolutionS).toBe(1);
    expect(h.gpus[0]!.points).toHaveLength(3);
    expect(h.gpus[1]!.points[0]).toMatchObject({ utilGpuPct: 10, memUsedMiB: 1001, tempC: 41 });
    expect(h.host).toHaveLength(3);
    const bad = await api.request("/api/nodes/box1/history?range=2y", authed);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/range/);
  });

  it("shows the enrollment command with the token and this server's address", async () => {
    const res = await api.request("http://gpu.lan:3000/api/enrollment", { headers: { ...authed.headers, host: "gpu.lan:3000" } });
    const body = (await res.json()) as { command: string; agentToken: string };
    expect(body.command).toBe(`npx switchyard-agent --server http://gpu.lan:3000 --token ${auth.agentToken}`);
  });

  it("answers unknown API paths with a JSON 404", async () => {
    const res = await api.request("/api/nope", authed);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});
