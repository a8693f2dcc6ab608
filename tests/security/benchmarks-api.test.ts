/**
 * POST /api/benchmarks and the other benchmark routes, sent hostile input: any JSON, wrong types,
 * huge numbers, oversized and non-JSON bodies, hostile ids. Each is answered 4xx with a JSON error
 * a person can read, nothing is created or started, and nothing throws past the error mapper.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { BENCH_LIMITS } from "../../protocol/benchmarks";
import { createApi } from "../../server/api/app";
import { createAuth } from "../../server/core/auth";
import { createBenchmarks, type Benchmarks } from "../../server/core/benchmarks/service";
import { createFleet } from "../../server/core/fleet";
import { createHistory } from "../../server/core/history";
import { createSessions } from "../../server/core/sessions";
import { openMemoryDatabase } from "../../server/db/client";
import { benchmarksRepo } from "../../server/db/repos/benchmarks-repo";
import { nodesRepo } from "../../server/db/repos/nodes-repo";
import { samplesRepo } from "../../server/db/repos/samples-repo";
import { sessionsRepo } from "../../server/db/repos/sessions-repo";
import { settingsRepo } from "../../server/db/repos/settings-repo";

const ADMIN = "admin-token-for-security";
const headers = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };

let api: ReturnType<typeof createApi>;
let benchmarks: Benchmarks;
let sent = 0;

beforeAll(async () => {
  const db = openMemoryDatabase();
  benchmarks = await createBenchmarks({
    repo: benchmarksRepo(db),
    context: {
      routes: { targets: (m) => (m === "tiny" ? [{ backend: "box1", id: "box1/tiny" }] : null), backend: () => ({ kind: "llamacpp", api: "openai", source: "config" }) },
      deployments: null, fleet: { get: () => null }, models: () => ["tiny"],
    },
    send: async () => {
      sent++;
      return { ok: true, error: null, startedAt: 0, firstTokenAt: 1, lastTokenAt: 2, outputTokens: 2, promptTokens: 1, engineTokensPerSec: null, backend: "box1" };
    },
  });
  api = createApi({
    auth: await createAuth(settingsRepo(db), { adminToken: ADMIN }), sessions: createSessions(sessionsRepo(db)), fleet: await createFleet(nodesRepo(db)), history: createHistory(samplesRepo(db)),
    isReady: () => true, hubStats: () => ({ connected: 0, messages: 0, malformed: 0, refused: 0, liveClients: 0 }), benchmarks,
  });
});

async function post(body: string) {
  const res = await api.request("/api/benchmarks", { method: "POST", headers, body });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
}

/** A valid request would start a run: everything else must be refused before that. */
const acceptable = (v: unknown): boolean => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.some((k) => !["model", "concurrency", "requests", "promptTokens", "maxTokens"].includes(k))) return false;
  return o.model === "tiny";
};

describe("hostile benchmark requests", () => {
  it("any JSON that is not a valid request is a 4xx JSON error, and starts nothing", async () => {
    const field = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.integer(), fc.double(), fc.constantFrom(0, -1, 65, 1e9, Number.MAX_SAFE_INTEGER, 1.5),
      fc.array(fc.oneof(fc.integer({ min: -5, max: 100 }), fc.string()), { maxLength: 12 }),
      fc.string({ maxLength: 300 }),
    );
    const body = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.record({ model: fc.oneof(fc.string({ maxLength: 400 }), fc.constant("tiny"), field), concurrency: field, requests: field, promptTokens: field, maxTokens: field }, { requiredKeys: [] }),
      fc.dictionary(fc.string({ maxLength: 20 }), field, { maxKeys: 6 }),
    );
    await fc.assert(fc.asyncProperty(body, async (b) => {
      const text = JSON.stringify(b) ?? "null";
      const valid = (() => {
        if (!acceptable(b)) return false;
        const o = b as Record<string, unknown>;
        const int = (v: unknown, max: number) => v === undefined || (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= max);
        const levels = o.concurrency === undefined || (Array.isArray(o.concurrency) && o.concurrency.length >= 1 && o.concurrency.length <= BENCH_LIMITS.maxLevels && o.concurrency.every((c) => int(c, BENCH_LIMITS.maxConcurrency)));
        return levels && int(o.requests, BENCH_LIMITS.maxRequests) && int(o.promptTokens, BENCH_LIMITS.maxPromptTokens) && int(o.maxTokens, BENCH_LIMITS.maxMaxTokens);
      })();
      if (valid) return; // would start a run; covered by the API tests
      const r = await post(text);
      expect(r.status, text).toBeGreaterThanOrEqual(400);
      expect(r.status, text).toBeLessThan(500);
      expect(typeof r.body.error?.message).toBe("string");
      expect(r.body.error!.message.length).toBeLessThan(2000);
    }), { numRuns: 400 });
    expect(sent).toBe(0);
    expect(await benchmarks.list(10)).toEqual([]);
  });

  it.each([
    ["a body over the limit", JSON.stringify({ model: "tiny", concurrency: Array(2000).fill(1) }), 400],
    ["not JSON", "model=tiny&concurrency=64", 400],
    ["deeply nested JSON", "[".repeat(5000) + "]".repeat(5000), 400],
    ["a model name of 257 characters", JSON.stringify({ model: "m".repeat(257) }), 400],
    ["a prototype key", '{"model":"tiny","__proto__":{"concurrency":[64]}}', 400],
  ])("refuses %s", async (_what, body, status) => {
    const r = await post(body);
    expect(r.status).toBe(status);
    expect(r.body.error?.code).toBe("bad_request");
    expect(sent).toBe(0);
  });

  it("treats hostile ids as unknown", async () => {
    for (const id of ["..", "%2e%2e%2fetc", "a".repeat(65), "<script>", "' OR 1=1 --", "%00"]) {
      for (const [method, path] of [["GET", ""], ["GET", "/events"], ["POST", "/cancel"], ["DELETE", ""]] as const) {
        const res = await api.request(`/api/benchmarks/${encodeURIComponent(id)}${path}`, { method, headers });
        expect(res.status, `${method} ${id}${path}`).toBe(404);
        expect(((await res.json()) as { error: { message: string } }).error.message).not.toContain("<script>");
      }
    }
  });

  it("bounds list queries and export formats", async () => {
    for (const q of ["limit=0", "limit=1001", "limit=abc", "format=html", "format=../../x"]) {
      expect((await api.request(`/api/benchmarks?${q}`, { headers })).status, q).toBe(400);
    }
  });
});
