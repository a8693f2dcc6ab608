/**
 * Every repository's behaviour, the same tests on each backend: SQLite in memory, SQLite in a WAL
 * file, and PostgreSQL (the run's throwaway cluster). A repository that works on one dialect only
 * fails here. Values are chosen to catch type drift: millisecond timestamps and byte counts past
 * 2^31, fractions in real columns, booleans, JSON text.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { publicSpecSchema } from "../../../protocol/deployments";
import type { BenchRun } from "../../../protocol/benchmarks";
import type { DeploymentRecord } from "../../../server/core/deployments/types";
import type { DbHandle } from "../../../server/db/client";
import { benchmarksRepo, type StoredBenchmark } from "../../../server/db/repos/benchmarks-repo";
import { deploymentsRepo } from "../../../server/db/repos/deployments-repo";
import { fitRepo, type NewCalibration } from "../../../server/db/repos/fit-repo";
import { gatewayRepo, type GatewayRequestRow } from "../../../server/db/repos/gateway-repo";
import { identityRepo } from "../../../server/db/repos/identity-repo";
import { nodesRepo } from "../../../server/db/repos/nodes-repo";
import { samplesRepo } from "../../../server/db/repos/samples-repo";
import { sessionsRepo } from "../../../server/db/repos/sessions-repo";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { skipReason, useDatabases, type TestBackend } from "../../helpers/databases";
import { gpu, snapshot } from "../../helpers/samples";

const BACKENDS: TestBackend[] = ["sqlite-memory", "sqlite-file", "postgres"];
const T = 1_796_000_000_000; // a 2026 timestamp in ms: far past 2^31
const facts = { hostname: "box1", os: "linux", arch: "x64", cpuModel: "EPYC", cpuCores: 64, memTotalBytes: 512e9 };

const deployment = (over: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  id: "d-1", name: "qwen", node: "box1",
  spec: publicSpecSchema.parse({
    id: "d-1", name: "qwen", engine: "llamacpp", model: { kind: "gguf", path: "/m/q.gguf" }, image: "img", gpus: [0, 1], servedName: "qwen", options: {},
  }),
  desired: "running", state: "ready", reason: null, logs: ["line 1", "line 2"], containerId: "c0ffee", port: 18080, restarts: 2,
  warnings: ["tight fit"], createdAt: T, updatedAt: T + 1, startedAt: T + 2, readyAt: null, onDemand: null, lastRequestAt: null,
  pids: [], progress: null, ...over,
});

const calibration = (over: Partial<NewCalibration> = {}): NewCalibration => ({
  deploymentId: "d-1", deployment: "qwen", node: "box1", gpus: [0, 1], model: "qwen/qwen3-8b", engine: "vllm", optionsHash: "abc",
  options: { ctx: 8192 }, estimatedBytes: 20.4e9, estimatedOverheadBytes: 1.5e9, measuredBytes: 21e9, readyAt: T, at: T + 10, ...over,
});

const request = (over: Partial<GatewayRequestRow> = {}): GatewayRequestRow => ({
  ts: T, keyName: "alice", endpoint: "/v1/chat/completions", modelAsked: "qwen", target: "box1/qwen", attempts: 1, failovers: 0,
  status: 200, stream: true, ttftMs: 120, durationMs: 900, inputTokens: 10, outputTokens: 20, error: null, body: null, ...over,
});

/** Strings that array literals, JSON and SQL quoting get wrong: quotes, backslashes, commas, braces, NULL, unicode. */
const NASTY = [
  "", " ", "  padded  ", "NULL", "null", "\\N", "\"", "\"\"", "'", "''", "\\", "ends with \\", "\\\"", "a,b", ",", "{", "}", "{}", "{a,b}",
  "{\"x\":[1,2]}", "{NULL}", "{\"\"}", "ARRAY[1]", "$1", "'; drop table gateway_requests; --", "line\nbreak\r\n\ttab", "\u0001\u001f\u007f",
  "é e\u0301 世界 🚀 \u202eRTL \ufeffBOM 𝕏", "\\x41", "\"{,}\\\"NULL\"",
];

const benchmark = (over: Partial<StoredBenchmark> = {}): StoredBenchmark => ({
  id: "b-1", model: "qwen", state: "running",
  params: { concurrency: [1, 4], requests: 8, promptTokens: 128, maxTokens: 64, ignoreEos: true },
  context: {
    target: "box1/qwen", backend: "box1", backendKind: "llamacpp", engine: "llamacpp", image: "img", node: "box1",
    gpus: [0, 1], gpuNames: ["RTX 4090", "RTX 4090"], ctx: 8192, modelFile: "/m/q.gguf",
  },
  runs: [], error: null, createdAt: T, finishedAt: null, ...over,
});

const benchRun: BenchRun = {
  concurrency: 1, requests: 8, failed: 1, ttftMs: { p50: 12.5, p99: 40 }, outputTokensPerSec: 187.25, aggregateTokensPerSec: 150.5,
  requestsPerSec: 2.25, promptTokens: 130, outputTokens: 64, durationMs: 3_500, engineTokensPerSec: 190.1, backends: { box1: 8 }, errors: ["HTTP 503: busy"],
};

for (const backend of BACKENDS) {
  describe.skipIf(skipReason(backend))(`repositories on ${backend}`, () => {
    const databases = useDatabases(backend);
    let handle: DbHandle;
    beforeEach(async () => {
      handle = await databases.open();
    });

    it("settings: get, create once, overwrite", async () => {
      const repo = settingsRepo(handle);
      expect(await repo.get("k")).toBeNull();
      expect(await repo.getOrCreate("k", () => "first")).toBe("first");
      expect(await repo.getOrCreate("k", () => "second")).toBe("first");
      await repo.set("k", "third");
      expect(await repo.get("k")).toBe("third");
      await repo.set("j", "other");
      expect((await repo.entries()).sort((x, y) => x.key.localeCompare(y.key))).toEqual([{ key: "j", value: "other" }, { key: "k", value: "third" }]);
      // Rewriting the storage after secrets were sealed (config/open-storage.ts) keeps every row.
      await handle.scrub();
      expect(await repo.get("k")).toBe("third");
    });

    it("sessions: expiry by id, one removed, expired ones pruned, all removed with a count", async () => {
      const repo = sessionsRepo(handle);
      expect(await repo.expiresAt("nope")).toBeNull();
      await repo.insert({ id: "a", createdAt: T, expiresAt: T + 1000 });
      await repo.insert({ id: "b", createdAt: T, expiresAt: T + 5000 });
      await repo.insert({ id: "c", createdAt: T, expiresAt: T + 9000 });
      await repo.insert({ id: "d", createdAt: T, expiresAt: T + 9000 });
      expect(await repo.expiresAt("b")).toBe(T + 5000);
      await repo.removeExpired(T + 1000); // expiring at `now` counts as expired
      expect(await repo.expiresAt("a")).toBeNull();
      expect(await repo.expiresAt("b")).toBe(T + 5000);
      await repo.remove("b");
      await repo.remove("b"); // unknown ids are fine
      expect(await repo.expiresAt("b")).toBeNull();
      expect(await repo.removeAll()).toBe(2);
      expect(await repo.expiresAt("c")).toBeNull();
      expect(await repo.removeAll()).toBe(0);
    });

    it("nodes: registered by name on hello, snapshots and GPUs saved, removed with their history", async () => {
      const nodes = nodesRepo(handle);
      const samples = samplesRepo(handle);
      const id = await nodes.upsertOnHello({ name: "box1", agentVersion: "0.1.0", facts, now: T });
      expect(await nodes.upsertOnHello({ name: "box1", agentVersion: "0.2.0", facts, now: T + 5 })).toBe(id);
      const other = await nodes.upsertOnHello({ name: "box2", agentVersion: "0.2.0", facts, now: T });
      expect(other).not.toBe(id);
      await nodes.saveSnapshot(id, snapshot(), T + 7);
      await nodes.upsertGpus(id, [gpu(0), gpu(1, { memTotalMiB: 81559.5 })], T);
      await nodes.upsertGpus(id, [gpu(1, { name: "renamed" })], T + 8); // update in place
      const stored = (await nodes.list()).find((n) => n.id === id)!;
      expect(stored).toMatchObject({ name: "box1", agentVersion: "0.2.0", facts, lastSeen: T + 7 });
      expect(stored.lastSnapshot?.gpus.map((g) => g.uuid)).toEqual(["GPU-test-0", "GPU-test-1"]);

      await samples.insertGpu([{ nodeId: id, gpuUuid: "GPU-test-0", resolutionS: 1, ts: T, utilGpuPct: 1, memUsedMiB: 2, tempC: 3, powerW: 4 }]);
      await samples.insertHost([{ nodeId: id, resolutionS: 1, ts: T, cpuPct: 1, memUsedBytes: 2 }]);
      await samples.insertHost([{ nodeId: other, resolutionS: 1, ts: T, cpuPct: 1, memUsedBytes: 2 }]);
      await nodes.remove(id);
      expect((await nodes.list()).map((n) => n.name)).toEqual(["box2"]);
      expect(await samples.gpuSeries(id, ["GPU-test-0", "GPU-test-1"], 1, 0)).toEqual([]);
      expect(await samples.hostSeries(id, 1, 0)).toEqual([]);
      expect(await samples.hostSeries(other, 1, 0)).toHaveLength(1);
      // The GPUs went with the node (foreign key cascade): the same UUID can belong to a new node.
      const again = await nodes.upsertOnHello({ name: "box1", agentVersion: "0.2.0", facts, now: T + 9 });
      await nodes.upsertGpus(again, [gpu(0)], T + 9);
    });

    it("identity: one live credential per name, revocation, join tokens spent once, refusals counted and bounded", async () => {
      const repo = identityRepo(handle);
      const cred = (id: string, node: string) => ({ id, node, secretHash: `hash-${id}`, via: "enrollment", createdAt: T });
      expect(await repo.insertCredential(cred("c1", "box1"))).toBe(true);
      expect(await repo.insertCredential(cred("c2", "box1"))).toBe(false); // the name has a live one
      expect(await repo.credentialByHash("hash-c1")).toEqual({ id: "c1", node: "box1", via: "enrollment", createdAt: T, revokedAt: null, confirmedAt: null });
      await repo.confirmCredential("c1", T + 1);
      await repo.confirmCredential("c1", T + 5); // a no-op once confirmed
      expect((await repo.credentialByHash("hash-c1"))?.confirmedAt).toBe(T + 1);
      expect(await repo.deleteUnconfirmed("c1")).toBe(false); // confirmed: an enrollment that can no longer be undone
      expect(await repo.revoke("box1", T + 1)).toBe(true);
      expect(await repo.revoke("box1", T + 2)).toBe(false);
      expect((await repo.credentialByHash("hash-c1"))?.revokedAt).toBe(T + 1);
      expect(await repo.activeCredential("box1")).toBeNull();
      expect(await repo.insertCredential(cred("c3", "box1"))).toBe(true); // enrolled again
      expect([...(await repo.liveIds(["c1", "c3", "nope"]))]).toEqual(["c3"]);
      expect(await repo.deleteUnconfirmed("c3")).toBe(true); // never confirmed: undone, the name free again
      expect(await repo.activeCredential("box1")).toBeNull();
      expect(await repo.insertCredential(cred("c3", "box1"))).toBe(true);

      await repo.insertJoinToken({ id: "j1", tokenHash: "jh1", createdAt: T, expiresAt: T + 3_600_000 });
      await repo.insertJoinToken({ id: "j2", tokenHash: "jh2", createdAt: T, expiresAt: T + 10 });
      expect(await repo.consumeJoinToken("j1", "box2", T + 5)).toBe(true);
      expect(await repo.consumeJoinToken("j1", "box3", T + 6)).toBe(false);
      expect(await repo.consumeJoinToken("j2", "box3", T + 11)).toBe(false); // expired
      expect(await repo.joinTokenByHash("jh1")).toMatchObject({ usedAt: T + 5, usedBy: "box2" });
      await repo.releaseJoinToken("j1");
      expect((await repo.pendingJoinTokens(T + 11)).map((j) => j.id)).toEqual(["j1"]); // j2 expired
      expect(await repo.pruneJoinTokens(T + 11)).toBe(1);

      const refusal = (node: string, at: number) => ({ node, address: "10.0.0.9", code: "name_enrolled", message: "taken", lastAt: at });
      await repo.recordRefusal(refusal("box1", T), 3);
      await repo.recordRefusal(refusal("box1", T + 1), 3);
      expect(await repo.refusals(10)).toEqual([{ ...refusal("box1", T + 1), count: 2, firstAt: T }]);
      for (let i = 0; i < 5; i++) await repo.recordRefusal(refusal(`n${i}`, T + 10 + i), 3);
      expect((await repo.refusals(10)).map((r) => r.node)).toEqual(["n4", "n3", "n2"]);
    });

    it("samples: series in time order, a repeated second keeps the newest value, pruning counts rows", async () => {
      const samples = samplesRepo(handle);
      const row = (ts: number, util: number) => ({ nodeId: "n", gpuUuid: "GPU-a", resolutionS: 1, ts, utilGpuPct: util, memUsedMiB: 1024.5, tempC: null, powerW: 250.25 });
      // The same second twice in one batch and again in a later one (a replayed backlog).
      await samples.insertGpu([row(T + 2000, 1), row(T, 2), row(T + 1000, 3), row(T, 4)]);
      await samples.insertGpu([row(T + 1000, 5), { ...row(T, 6), resolutionS: 60 }]);
      await samples.insertHost([{ nodeId: "n", resolutionS: 1, ts: T, cpuPct: 12.5, memUsedBytes: 3.5e9 }, { nodeId: "n", resolutionS: 1, ts: T, cpuPct: 13.5, memUsedBytes: 3.6e9 }]);
      const series = await samples.gpuSeries("n", ["GPU-a", "GPU-other"], 1, T);
      expect(series.map((r) => [r.ts, r.utilGpuPct])).toEqual([[T, 4], [T + 1000, 5], [T + 2000, 1]]);
      expect(series[0]).toEqual({ nodeId: "n", gpuUuid: "GPU-a", resolutionS: 1, ts: T, utilGpuPct: 4, memUsedMiB: 1024.5, tempC: null, powerW: 250.25 });
      expect(await samples.gpuSeries("n", ["GPU-a"], 1, T + 1500)).toHaveLength(1);
      expect(await samples.gpuSeries("n", [], 1, 0)).toEqual([]);
      // The same UUID from another node is another GPU: its own series, nothing overwritten.
      await samples.insertGpu([{ ...row(T, 99), nodeId: "m" }]);
      expect((await samples.gpuSeries("n", ["GPU-a"], 1, T)).map((r) => r.utilGpuPct)).toEqual([4, 5, 1]);
      expect((await samples.gpuSeries("m", ["GPU-a"], 1, T)).map((r) => r.utilGpuPct)).toEqual([99]);
      expect(await samples.hostSeries("n", 1, 0)).toEqual([{ nodeId: "n", resolutionS: 1, ts: T, cpuPct: 13.5, memUsedBytes: 3.6e9 }]);
      expect(await samples.prune(1, T + 1500)).toBe(4); // three GPU rows (two nodes) and the host row
      expect(await samples.prune(1, T + 1500)).toBe(0);
      expect(await samples.gpuSeries("n", ["GPU-a"], 60, 0)).toHaveLength(1);
    });

    it("samples: buckets of min and max per field, epoch-aligned, per GPU in time order", async () => {
      const samples = samplesRepo(handle);
      const W = 3_600_000;
      const start = Math.floor(T / W) * W; // a bucket boundary
      const rows = [];
      for (let m = 0; m < 150; m++) {
        const ts = start + m * 60_000;
        rows.push({ nodeId: "n", gpuUuid: "GPU-a", resolutionS: 60, ts, utilGpuPct: m === 70 ? 100 : 40.5, memUsedMiB: 1000 + m, tempC: m < 60 ? null : 50, powerW: 250.25 });
        // Another node reporting the same UUID: none of its values may show in this node's buckets.
        if (m % 10 === 0) rows.push({ nodeId: "other", gpuUuid: "GPU-a", resolutionS: 60, ts, utilGpuPct: 7, memUsedMiB: 1, tempC: 1, powerW: 1 });
        if (m % 2 === 0) rows.push({ nodeId: "n", gpuUuid: "GPU-b", resolutionS: 60, ts, utilGpuPct: 1, memUsedMiB: 1, tempC: 1, powerW: 1 });
      }
      await samples.insertGpu(rows);
      const buckets = await samples.gpuBuckets("n", ["GPU-a", "GPU-b", "GPU-none"], 60, start, W);
      const a = buckets.filter((b) => b.gpuUuid === "GPU-a");
      expect(a).toEqual([
        { gpuUuid: "GPU-a", firstTs: start, lastTs: start + 59 * 60_000, min: { utilGpuPct: 40.5, memUsedMiB: 1000, tempC: null, powerW: 250.25 }, max: { utilGpuPct: 40.5, memUsedMiB: 1059, tempC: null, powerW: 250.25 } },
        { gpuUuid: "GPU-a", firstTs: start + W, lastTs: start + 119 * 60_000, min: { utilGpuPct: 40.5, memUsedMiB: 1060, tempC: 50, powerW: 250.25 }, max: { utilGpuPct: 100, memUsedMiB: 1119, tempC: 50, powerW: 250.25 } },
        { gpuUuid: "GPU-a", firstTs: start + 2 * W, lastTs: start + 149 * 60_000, min: { utilGpuPct: 40.5, memUsedMiB: 1120, tempC: 50, powerW: 250.25 }, max: { utilGpuPct: 40.5, memUsedMiB: 1149, tempC: 50, powerW: 250.25 } },
      ]);
      expect(buckets.filter((b) => b.gpuUuid === "GPU-b").map((b) => b.lastTs)).toEqual([start + 58 * 60_000, start + 118 * 60_000, start + 148 * 60_000]);
      // The range's start cuts into a bucket: only its rows from there on count.
      expect((await samples.gpuBuckets("n", ["GPU-a"], 60, start + 30 * 60_000, W))[0]).toMatchObject({ firstTs: start + 30 * 60_000, min: { memUsedMiB: 1030 } });
      await samples.insertHost([{ nodeId: "n", resolutionS: 60, ts: start, cpuPct: 12.5, memUsedBytes: 3.5e9 }, { nodeId: "n", resolutionS: 60, ts: start + 60_000, cpuPct: 99, memUsedBytes: 5e9 }]);
      expect(await samples.hostBuckets("n", 60, 0, W)).toEqual([{ firstTs: start, lastTs: start + 60_000, min: { cpuPct: 12.5, memUsedBytes: 3.5e9 }, max: { cpuPct: 99, memUsedBytes: 5e9 } }]);
      await expect(samples.gpuBuckets("n", ["GPU-a"], 60, 0, 0.5)).rejects.toThrow(/positive integer/);
    });

    it("samples: a batch larger than one statement's parameter limit", async () => {
      const samples = samplesRepo(handle);
      const rows = Array.from({ length: 4500 }, (_, i) => ({ nodeId: "n", gpuUuid: `GPU-${i % 9}`, resolutionS: 1, ts: T + Math.floor(i / 9) * 1000, utilGpuPct: i, memUsedMiB: null, tempC: null, powerW: null }));
      await samples.insertGpu(rows);
      expect(await samples.gpuSeries("n", ["GPU-3"], 1, 0)).toHaveLength(500);
    });

    it("deployments: upsert, list with JSON fields, skip rows a newer version wrote, delete", async () => {
      const repo = deploymentsRepo(handle);
      await repo.upsert(deployment());
      await repo.upsert(deployment({ state: "failed", reason: "OOM", readyAt: T + 3, updatedAt: T + 4 }));
      await repo.upsert(deployment({ id: "d-2", name: "other", desired: "stopped", logs: [], warnings: [] }));
      const { spec: _spec, onDemand: _policy, ...unreadable } = deployment({ id: "d-3", name: "future" });
      await handle.db.insert(handle.schema.deployments).values({ ...unreadable, spec: JSON.stringify({ engine: "from-the-future" }), logs: "[]", warnings: "[]" });
      const list = await repo.list();
      expect(list.map((d) => d.id).sort()).toEqual(["d-1", "d-2"]);
      expect(list.find((d) => d.id === "d-1")).toEqual(deployment({ state: "failed", reason: "OOM", readyAt: T + 3, updatedAt: T + 4 }));
      expect(list.find((d) => d.id === "d-2")?.desired).toBe("stopped");
      await repo.delete("d-1");
      expect((await repo.list()).map((d) => d.id)).toEqual(["d-2"]);
    });

    it("deployments: an on-demand policy and its last request time survive a restart; request times are written in one batch", async () => {
      const repo = deploymentsRepo(handle);
      const policy = { idleTimeoutS: 60, loadTimeoutS: 300, unload: "sleep" as const, node: null, gpus: "none", image: null };
      await repo.upsert(deployment({ id: "d-od", name: "cold", state: "standby", containerId: null, onDemand: policy }));
      await repo.touch(new Map([["d-od", T + 99], ["gone", T]]));
      const [row] = await repo.list();
      expect(row).toMatchObject({ state: "standby", onDemand: policy, lastRequestAt: T + 99 });
      // A policy this version cannot read is a pinned deployment, not a broken list.
      await handle.db.update(handle.schema.deployments).set({ onDemand: '{"idleTimeoutS":"soon"}' });
      expect((await repo.list())[0]!.onDemand).toBeNull();
    });

    it("fit: one calibration per deployment start, newest first, byte counts past 2^32", async () => {
      const repo = fitRepo(handle);
      expect(await repo.insert(calibration())).toBe(true);
      expect(await repo.insert(calibration({ measuredBytes: 1 }))).toBe(false);
      expect(await repo.insert(calibration({ readyAt: T + 100, at: T + 200, measuredBytes: 22e9 }))).toBe(true);
      expect(await repo.insert(calibration({ deploymentId: "d-9", engine: "sglang", at: T + 300 }))).toBe(true);
      const recent = await repo.recent("qwen/qwen3-8b", "vllm", 10);
      expect(recent.map((c) => c.measuredBytes)).toEqual([22e9, 21e9]);
      expect(recent[1]).toMatchObject({ gpus: [0, 1], options: { ctx: 8192 }, estimatedBytes: 20.4e9, estimatedOverheadBytes: 1.5e9, at: T + 10 });
      expect(recent[1]!.error).toBeCloseTo((20.4e9 - 21e9) / 21e9);
      expect(typeof recent[0]!.id).toBe("number");
      expect((await repo.list(2)).map((c) => c.engine)).toEqual(["sglang", "vllm"]);
    });

    it("gateway keys: insert, revoke, delete, usage added in batches", async () => {
      const repo = gatewayRepo(handle);
      await repo.insertKey({ id: "k1", name: "alice", hash: "h1", prefix: "sk-…a", source: "ui", models: '["qwen"]', createdAt: T });
      await repo.insertKey({ id: "k2", name: "bob", hash: "h2", prefix: "sk-…b", source: "ui", createdAt: T });
      await expect(repo.insertKey({ id: "k3", name: "alice", hash: "h3", prefix: "x", source: "ui", createdAt: T })).rejects.toThrow();
      await repo.addUsage([{ id: "k1", requests: 2, inputTokens: 3e9, outputTokens: 5, lastUsedAt: T + 1 }, { id: "k2", requests: 1, inputTokens: 1, outputTokens: 1, lastUsedAt: T + 2 }]);
      await repo.addUsage([{ id: "k1", requests: 1, inputTokens: 1e9, outputTokens: 5, lastUsedAt: T + 3 }]);
      await repo.addUsage([]);
      await repo.revokeKey("k2", T + 4);
      const keys = await repo.keys();
      expect(keys.find((k) => k.id === "k1")).toMatchObject({ requests: 3, inputTokens: 4e9, outputTokens: 10, lastUsedAt: T + 3, revokedAt: null, models: '["qwen"]' });
      expect(keys.find((k) => k.id === "k2")).toMatchObject({ revokedAt: T + 4, models: null });
      await repo.deleteKey("k2");
      expect((await repo.keys()).map((k) => k.name)).toEqual(["alice"]);
    });

    it("gateway keys: the config file's keys replace dashboard keys of the same name or hash, and leave when dropped", async () => {
      const repo = gatewayRepo(handle);
      await repo.insertKey({ id: "u1", name: "ci", hash: "hc", prefix: "p", source: "ui", createdAt: T });
      await repo.insertKey({ id: "u2", name: "other", hash: "hf1", prefix: "p", source: "ui", createdAt: T });
      await repo.insertKey({ id: "u3", name: "kept", hash: "hk", prefix: "p", source: "ui", createdAt: T });
      await repo.syncConfigKeys([
        { id: "f1", name: "ci", hash: "hf1", prefix: "f", source: "config", createdAt: T },
        { id: "f2", name: "ops", hash: "hf2", prefix: "f", source: "config", createdAt: T, models: '["a"]' },
      ]);
      const byName = Object.fromEntries((await repo.keys()).map((k) => [k.name, k]));
      expect(Object.keys(byName).sort()).toEqual(["ci", "kept", "ops"]);
      expect(byName.ci).toMatchObject({ source: "config", hash: "hf1" });
      await repo.syncConfigKeys([{ id: "f3", name: "ops", hash: "hf3", prefix: "g", source: "config", createdAt: T }]);
      const after = await repo.keys();
      expect(after.map((k) => k.name).sort()).toEqual(["kept", "ops"]);
      expect(after.find((k) => k.name === "ops")).toMatchObject({ hash: "hf3", models: null });
      await repo.syncConfigKeys([]);
      expect((await repo.keys()).map((k) => k.name)).toEqual(["kept"]);
    });

    it("gateway routes: upsert keeps the creation time, delete says whether there was one", async () => {
      const repo = gatewayRepo(handle);
      await repo.upsertRoute("qwen", '[["a/qwen"]]', T);
      await repo.upsertRoute("qwen", '[["b/qwen"],["c/qwen"]]', T + 5);
      expect(await repo.routes()).toEqual([{ model: "qwen", targets: '[["b/qwen"],["c/qwen"]]', createdAt: T, updatedAt: T + 5 }]);
      expect(await repo.deleteRoute("qwen")).toBe(true);
      expect(await repo.deleteRoute("qwen")).toBe(false);
    });

    it("gateway request log: batches, newest first, filters, paging by id, pruning by age", async () => {
      const repo = gatewayRepo(handle);
      await repo.insertRequests([
        request({ ts: T }),
        request({ ts: T + 1, status: 502, error: "box1: connection refused", stream: false, keyName: undefined, ttftMs: undefined }),
        request({ ts: T + 2, modelAsked: "llama", failovers: 1 }),
      ]);
      await repo.insertRequests([]);
      const all = await repo.requests({ limit: 10 });
      expect(all.map((r) => r.ts)).toEqual([T + 2, T + 1, T]);
      expect(all[1]).toMatchObject({ stream: false, keyName: null, ttftMs: null, error: "box1: connection refused" });
      expect(all[2]!.stream).toBe(true);
      expect((await repo.requests({ limit: 10, failedOnly: true })).map((r) => r.ts)).toEqual([T + 2, T + 1]);
      expect((await repo.requests({ limit: 10, model: "llama" })).map((r) => r.ts)).toEqual([T + 2]);
      expect((await repo.requests({ limit: 10, keyName: "alice" })).map((r) => r.ts)).toEqual([T + 2, T]);
      expect((await repo.requests({ limit: 1, beforeId: all[0]!.id })).map((r) => r.ts)).toEqual([T + 1]);
      expect(await repo.pruneRequests(T + 2)).toBe(2);
      expect((await repo.requests({ limit: 10 })).map((r) => r.ts)).toEqual([T + 2]);
    });

    it("gateway request log: rows read back as written, and as drizzle's own insert writes them", async () => {
      const repo = gatewayRepo(handle);
      const { gatewayRequests } = handle.schema;
      const rows: GatewayRequestRow[] = [
        request({ ts: T, stream: true, loadWaitMs: 2_500 }),
        request({
          ts: T + 1, stream: false, status: 529, attempts: 3, failovers: 2, error: `box1: connection refused; cloud: 529 ${"é🚀".repeat(50_000)}`,
          body: JSON.stringify({ messages: [{ role: "user", content: "héllo 世界 🚀 e\u0301 \"quoted\" \\ back" }] }).repeat(1_000),
        }),
        { ts: T + 2, endpoint: "/v1/models", attempts: 1, failovers: 0, status: 200, stream: false, durationMs: 0 }, // every optional column left out
        request({ ts: T + 3, keyName: null, modelAsked: null, target: null, ttftMs: null, inputTokens: null, outputTokens: null, loadWaitMs: null, error: null, body: null }),
        request({ ts: T + 4, keyName: "ключ-🔑", modelAsked: undefined, inputTokens: 2 ** 31 - 1, outputTokens: 0, ttftMs: 0, durationMs: 2 ** 31 - 1, error: "" }),
        // PostgreSQL gets each column as one array literal: every string below must come back as sent.
        ...NASTY.map((s, i) => request({ ts: T + 5 + i, keyName: s, endpoint: s, modelAsked: s, target: s, error: s, body: JSON.stringify({ s, all: NASTY }) })),
      ];
      const stored = (r: GatewayRequestRow) => ({
        keyName: null, modelAsked: null, target: null, ttftMs: null, inputTokens: null, outputTokens: null, loadWaitMs: null, error: null, body: null,
        ...Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)),
      });
      await repo.insertRequests(rows);
      const written = (await repo.requests({ limit: 100 })).reverse();
      expect(written.map(({ id: _, ...r }) => r)).toEqual(rows.map(stored));
      await handle.db.insert(gatewayRequests).values(rows);
      const byDrizzle = (await repo.requests({ limit: rows.length })).reverse();
      expect(byDrizzle.map(({ id: _, ...r }) => r)).toEqual(written.map(({ id: _, ...r }) => r));
    });

    it("gateway request log: ids given in every row of a batch are kept; given in some rows, PostgreSQL refuses the batch", async () => {
      const repo = gatewayRepo(handle);
      await repo.insertRequests([request({ id: 1_000, ts: T }), request({ id: 1_001, ts: T + 1 })]);
      await repo.insertRequests([request({ ts: T + 2 })]);
      const mixed = repo.insertRequests([request({ id: 2_000, ts: T + 3 }), request({ ts: T + 4 })]);
      // An array cannot carry DEFAULT, the identity column's value when left out (pg-insert-plan.ts).
      if (handle.dialect === "postgres") await expect(mixed).rejects.toThrow("column id is given in 1 of 2 rows and left to the database in the others");
      else await mixed;
      const stored = (await repo.requests({ limit: 10 })).sort((x, y) => x.ts - y.ts);
      expect(stored.slice(0, 2).map((r) => [r.id, r.ts])).toEqual([[1_000, T], [1_001, T + 1]]);
      expect(stored.map((r) => r.ts)).toEqual(handle.dialect === "postgres" ? [T, T + 1, T + 2] : [T, T + 1, T + 2, T + 3, T + 4]);
    });

    it("gateway request log: a batch flushed while a transaction is open is not rolled back with it", async () => {
      const repo = gatewayRepo(handle);
      const { gatewayRequests } = handle.schema;
      let opened!: () => void;
      let finish!: () => void;
      const isOpen = new Promise<void>((r) => (opened = r));
      const finished = new Promise<void>((r) => (finish = r));
      const tx = handle.transaction(async (t) => {
        await t.insert(gatewayRequests).values(request({ ts: T, error: "inside" }));
        opened();
        await finished;
        throw new Error("roll back");
      });
      await isOpen;
      const flush = repo.insertRequests([request({ ts: T + 1 }), request({ ts: T + 2 })]); // the request log's flush, mid-transaction
      finish();
      await expect(tx).rejects.toThrow("roll back");
      await flush;
      expect((await repo.requests({ limit: 10 })).map((r) => r.ts)).toEqual([T + 2, T + 1]);
    });

    it("gateway request log: a batch with a bad row writes none of its rows, says why, and the next batch is written", async () => {
      const repo = gatewayRepo(handle);
      await repo.insertRequests([request({ ts: T })]);
      const bad = request({ ts: T + 2, endpoint: null as unknown as string }); // NOT NULL
      const failure = (p: Promise<unknown>) => p.then(() => "written", (err: Error & { cause?: Error }) => `${err.message} ${err.cause?.message ?? ""}`);
      expect(await failure(repo.insertRequests([request({ ts: T + 1 }), bad, request({ ts: T + 3 })]))).toMatch(/not.null/i);
      // More values than one statement's 65,535 parameters if each were a parameter, the bad row last.
      const many = Array.from({ length: 5_001 }, (_, i) => request({ ts: T + 10 + i }));
      expect(await failure(repo.insertRequests([...many, bad]))).toMatch(/not.null/i);
      expect((await repo.requests({ limit: 10 })).map((r) => r.ts)).toEqual([T]);
      await repo.insertRequests(many);
      expect(await repo.pruneRequests(T + 10)).toBe(1);
      expect(await repo.pruneRequests(T + 10 + many.length)).toBe(many.length);
    });

    it("benchmarks: insert, levels and the end as they come, newest first, running ones failed after a restart, remove", async () => {
      const repo = benchmarksRepo(handle);
      await repo.insert(benchmark(), "s1");
      await repo.insert(benchmark({ id: "b-2", model: "llama", createdAt: T + 10 }), "s2");
      await repo.insert(benchmark({ id: "b-3", state: "done", createdAt: T + 5, finishedAt: T + 6 }), "s1");
      await expect(repo.insert(benchmark(), "s1")).rejects.toThrow();
      expect((await repo.running()).sort((x, y) => x.id.localeCompare(y.id))).toEqual([{ id: "b-1", model: "qwen", serverId: "s1" }, { id: "b-2", model: "llama", serverId: "s2" }]);
      await repo.update("b-1", { runs: [benchRun] });
      await repo.update("b-1", { state: "done", runs: [benchRun, { ...benchRun, concurrency: 4 }], finishedAt: T + 2 });
      expect(await repo.get("b-1")).toEqual(benchmark({ state: "done", runs: [benchRun, { ...benchRun, concurrency: 4 }], finishedAt: T + 2 }));
      expect(await repo.get("nope")).toBeNull();
      expect((await repo.list(10)).map((b) => b.id)).toEqual(["b-2", "b-3", "b-1"]);
      expect((await repo.list(1)).map((b) => b.id)).toEqual(["b-2"]);
      await repo.insert(benchmark({ id: "b-4", createdAt: T + 1 }), "s3");
      // Rows of live servers and of this server's own runs are kept; the others fail.
      expect(await repo.failRunning("gone", T + 15, { servers: ["s2"], ids: ["b-4"] })).toBe(0);
      expect(await repo.failRunning("gone", T + 15, { servers: ["s1", "s2"] })).toBe(1);
      expect(await repo.get("b-4")).toMatchObject({ state: "failed", error: "gone" });
      expect(await repo.failRunning("the server stopped", T + 20)).toBe(1);
      expect(await repo.get("b-2")).toMatchObject({ state: "failed", error: "the server stopped", finishedAt: T + 20 });
      expect((await repo.get("b-3"))?.state).toBe("done");
      expect(await repo.remove("b-2")).toBe(true);
      expect(await repo.remove("b-2")).toBe(false);
      expect((await repo.list(10)).map((b) => b.id)).toEqual(["b-3", "b-4", "b-1"]);
    });
  });
}
