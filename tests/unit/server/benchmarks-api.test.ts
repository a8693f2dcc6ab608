/** The benchmarks' REST adapter through Hono's app.request, on real SQLite, with a scripted send. */
import { beforeEach, describe, expect, it } from "vitest";
import type { BenchmarkView } from "../../../protocol/benchmarks";
import { parseSse } from "../../../lib/sse";
import { createApi } from "../../../server/api/app";
import { createAuth } from "../../../server/core/auth";
import { createBenchmarks, type Benchmarks } from "../../../server/core/benchmarks/service";
import { createFleet } from "../../../server/core/fleet";
import { createHistory } from "../../../server/core/history";
import { createSessions } from "../../../server/core/sessions";
import { openMemoryDatabase } from "../../../server/db/client";
import { benchmarksRepo } from "../../../server/db/repos/benchmarks-repo";
import { nodesRepo } from "../../../server/db/repos/nodes-repo";
import { samplesRepo } from "../../../server/db/repos/samples-repo";
import { sessionsRepo } from "../../../server/db/repos/sessions-repo";
import { settingsRepo } from "../../../server/db/repos/settings-repo";

const ADMIN = "admin-token-for-tests";
const auth = { authorization: `Bearer ${ADMIN}` };
const json = { ...auth, "content-type": "application/json" };

let api: ReturnType<typeof createApi>;
let benchmarks: Benchmarks;

beforeEach(async () => {
  const db = openMemoryDatabase();
  benchmarks = await createBenchmarks({
    repo: benchmarksRepo(db),
    context: {
      routes: { targets: (m) => (m.startsWith("=") || m === "tiny" ? [{ backend: "box1", id: `box1/${m}` }] : null), backend: () => ({ kind: "llamacpp", api: "openai", source: "config" }) },
      deployments: null, fleet: { get: () => null }, models: () => ["tiny"],
    },
    send: async () => ({ ok: true, error: null, startedAt: 0, firstTokenAt: 5, lastTokenAt: 105, outputTokens: 21, promptTokens: 9, engineTokensPerSec: null, backend: "box1" }),
  });
  api = createApi({
    auth: await createAuth(settingsRepo(db), { adminToken: ADMIN }), sessions: createSessions(sessionsRepo(db)), fleet: await createFleet(nodesRepo(db)), history: createHistory(samplesRepo(db)),
    isReady: () => true, hubStats: () => ({ connected: 0, messages: 0, malformed: 0, refused: 0, liveClients: 0 }), benchmarks,
  });
});

async function run(model = "tiny"): Promise<BenchmarkView> {
  const res = await api.request("/api/benchmarks", { method: "POST", headers: json, body: JSON.stringify({ model, concurrency: [1, 2], requests: 3 }) });
  expect(res.status).toBe(202);
  const v = (await res.json()) as BenchmarkView;
  await benchmarks.settled(v.id);
  return v;
}

describe("/api/benchmarks", () => {
  it("starts one (202), lists it, shows it, and follows it to its end", async () => {
    const v = await run();
    const list = (await (await api.request("/api/benchmarks", { headers: auth })).json()) as BenchmarkView[];
    expect(list.map((b) => [b.id, b.state])).toEqual([[v.id, "done"]]);
    const one = (await (await api.request(`/api/benchmarks/${v.id}`, { headers: auth })).json()) as BenchmarkView;
    expect(one.runs.map((r) => [r.concurrency, r.requests, r.outputTokensPerSec])).toEqual([[1, 3, 200], [2, 3, 200]]);
    const events = await api.request(`/api/benchmarks/${v.id}/events`, { headers: auth });
    expect(events.headers.get("content-type")).toMatch(/text\/event-stream/);
    const parsed = parseSse(await events.text());
    expect(parsed.map((e) => e.event)).toEqual(["end"]);
    expect((JSON.parse(parsed[0]!.data) as BenchmarkView).state).toBe("done");
  });

  it("exports JSON and CSV as downloads; CSV cells a spreadsheet would run are quoted", async () => {
    const v = await run("=HYPERLINK(\"http://evil\")");
    const csv = await api.request(`/api/benchmarks/${v.id}?format=csv`, { headers: auth });
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(/attachment; filename="benchmark-[0-9a-f]{8}\.csv"/);
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^id,model,created_at,state,engine/);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    const all = await api.request("/api/benchmarks?format=json", { headers: auth });
    expect(all.headers.get("content-disposition")).toMatch(/benchmarks\.json/);
    expect(((await all.json()) as BenchmarkView[])[0]!.id).toBe(v.id);
  });

  it("answers bad input with a JSON error and creates nothing", async () => {
    const cases: Array<[string, number, RegExp]> = [
      [JSON.stringify({ model: "nope" }), 404, /not routed by this gateway \(known: tiny\)/],
      [JSON.stringify({ model: "tiny", concurrency: [0] }), 400, /concurrency/],
      [JSON.stringify({ model: "tiny", requests: "10" }), 400, /requests/],
      ["{not json", 400, /must be JSON/],
      [JSON.stringify({ model: "tiny", pad: "x".repeat(5000) }), 400, /over 4096 bytes/],
    ];
    for (const [body, status, message] of cases) {
      const res = await api.request("/api/benchmarks", { method: "POST", headers: json, body });
      expect(res.status, body.slice(0, 60)).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect(await (await api.request("/api/benchmarks", { headers: auth })).json()).toEqual([]);
  });

  it("404s unknown ids, cancels a finished one as a no-op, deletes it", async () => {
    expect((await api.request("/api/benchmarks/no-such-id", { headers: auth })).status).toBe(404);
    expect((await api.request("/api/benchmarks/..%2F..%2Fetc", { headers: auth })).status).toBe(404);
    const v = await run();
    const cancel = await api.request(`/api/benchmarks/${v.id}/cancel`, { method: "POST", headers: auth });
    expect(((await cancel.json()) as BenchmarkView).state).toBe("done");
    expect((await api.request(`/api/benchmarks/${v.id}`, { method: "DELETE", headers: auth })).status).toBe(204);
    expect((await api.request(`/api/benchmarks/${v.id}`, { headers: auth })).status).toBe(404);
  });

  it("needs the admin token, and refuses cookie-signed starts from another origin", async () => {
    expect((await api.request("/api/benchmarks")).status).toBe(401);
    const signIn = await api.request("/api/session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: ADMIN }) });
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    const res = await api.request("http://dash.lan:3000/api/benchmarks", {
      method: "POST", headers: { cookie, origin: "http://evil.lan:3000", host: "dash.lan:3000", "content-type": "application/json" }, body: JSON.stringify({ model: "tiny" }),
    });
    expect(res.status).toBe(403);
  });
});
