/** The fit REST API through app.request(): estimates, the matrix on live telemetry, calibrations, errors. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CalibrationView, FitMatrixView, FitResponse } from "../../../protocol/fit";
import { createApi } from "../../../server/api/app";
import { createAuth } from "../../../server/core/auth";
import { createSessions } from "../../../server/core/sessions";
import { sessionsRepo } from "../../../server/db/repos/sessions-repo";
import { createFleet } from "../../../server/core/fleet";
import { readGgufFacts } from "../../../fit/gguf-reader";
import { createFitService } from "../../../server/core/fit/service";
import { createHistory } from "../../../server/core/history";
import { openMemoryDatabase } from "../../../server/db/client";
import { fitRepo, type FitRepo } from "../../../server/db/repos/fit-repo";
import { nodesRepo } from "../../../server/db/repos/nodes-repo";
import { samplesRepo } from "../../../server/db/repos/samples-repo";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { writeTinyLlamaGguf } from "../../fixtures/gguf/writer";
import { gpu, sample } from "../../helpers/samples";

const ADMIN = "admin-token-for-tests";
const MiB = 2 ** 20;
const facts = { hostname: "box1", os: "linux", arch: "x64", cpuModel: null, cpuCores: 2, memTotalBytes: 8e9 };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fit-api-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("fit API", () => {
  let api: ReturnType<typeof createApi>;
  let repo: FitRepo;
  const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` }) =>
    api.request(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });

  beforeEach(async () => {
    const db = openMemoryDatabase();
    const auth = await createAuth(settingsRepo(db), { adminToken: ADMIN });
    const fleet = await createFleet(nodesRepo(db));
    const id = await fleet.connect({ name: "box1", agentVersion: "0.1.0", facts });
    // GPU 1 is mostly held by another program.
    await fleet.ingest(id, [sample(Date.now(), { gpus: [gpu(0, { memUsedMiB: 1000 }), gpu(1, { memUsedMiB: 20000 })] })]);
    repo = fitRepo(db);
    api = createApi({
      auth, sessions: createSessions(sessionsRepo(db)), fleet, history: createHistory(samplesRepo(db)), isReady: () => true,
      hubStats: () => ({ connected: 0, messages: 0, malformed: 0, refused: 0, liveClients: 0 }),
      fit: createFitService({ fleet, repo, hub: null }),
    });
  });

  it("needs the admin token", async () => {
    expect((await post("/api/fit", { model: "Qwen/Qwen3-8B" }, {})).status).toBe(401);
  });

  it("POST /api/fit: the contract's estimate for the memory given", async () => {
    const res = await post("/api/fit", { model: "Qwen/Qwen3-8B", engine: "vllm", ctx: 8192, gpuMem: ["24GiB"] });
    expect(res.status).toBe(200);
    const r = (await res.json()) as FitResponse;
    for (const k of ["weightsBytes", "kvCacheBytes", "kvCacheTokens", "overheadBytes", "totalBytes", "maxContext"] as const) expect(typeof r[k]).toBe("number");
    expect(r).toMatchObject({ fits: true, perGpu: [{ index: 0, capacityBytes: 24 * 1024 * MiB }], facts: { source: "catalog", id: "Qwen/Qwen3-8B" } });
    const noMem = (await (await post("/api/fit", { model: "Qwen/Qwen3-8B", ctx: 8192 })).json()) as FitResponse;
    expect(noMem.fits).toBeNull();
  });

  it("POST /api/fit/matrix: every GPU and set of the fleet against measured free memory", async () => {
    const res = await post("/api/fit/matrix", { model: "Qwen/Qwen3-8B", engine: "vllm", ctx: 8192 });
    expect(res.status).toBe(200);
    const m = (await res.json()) as FitMatrixView;
    expect(m.cells.map((c) => [c.gpus.join(","), c.verdict])).toEqual([["0", "fits"], ["1", "no"], ["0,1", "no"]]);
    expect(m.cells[0]!.freeBytes).toEqual([(24576 - 1000) * MiB]);
    expect(m.best).toBe(0);
    expect(m.cells[0]!.maxContext).toBeGreaterThan(8192);
    expect(m).toMatchObject({ engine: "vllm", ctx: 8192, tightBelow: 0.1 });
  });

  it("takes facts a client read from its own disk", async () => {
    const file = join(dir, "tiny.gguf");
    await writeTinyLlamaGguf(file, { embd: 256, heads: 4, kvHeads: 2, ff: 688 });
    const clientFacts = await readGgufFacts(file);
    const res = await post("/api/fit/matrix", { model: "/laptop/models/tiny.gguf", facts: clientFacts, ctx: 4096 });
    expect(res.status).toBe(200);
    const m = (await res.json()) as FitMatrixView;
    expect(m).toMatchObject({ engine: "llamacpp", facts: { source: "gguf" } });
    expect(m.cells.every((c) => c.verdict === "fits")).toBe(true);
    // Later asks for the same path (the deploy form, a calibration) use what the client sent.
    const again = await post("/api/fit/matrix", { model: "/laptop/models/tiny.gguf", ctx: 4096 });
    expect(again.status).toBe(200);
    expect(((await again.json()) as FitMatrixView).facts.notes).toEqual(["facts as a client read them from its own disk earlier"]);
    const bad = await post("/api/fit/matrix", { model: "x.gguf", facts: { ...clientFacts, layers: -1 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/facts: layers/);
  });

  it("answers bad input with a message a person can act on", async () => {
    const cases: [unknown, number, RegExp][] = [
      ["{not json", 400, /must be JSON/],
      [{}, 400, /model/],
      [{ model: "Qwen/Qwen3-8B", engine: "tgi" }, 400, /engine must be one of vllm, sglang, llamacpp/],
      [{ model: "Qwen/Qwen3-8B", engine: "vllm", kvDtype: "q4_0" }, 400, /vllm has no q4_0 KV cache/],
      [{ model: "Qwen/Qwen3-8B", ctx: -5 }, 400, /ctx/],
      [{ model: "Qwen/Qwen3-8B", quant: "Q9_Z" }, 400, /unknown quantization "Q9_Z"/],
      [{ model: "acme/nothing-like-it" }, 404, /not configured, and the offline catalog does not know it/],
      [{ model: "/srv/missing.gguf" }, 404, /The server reads paths on its own disk/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post("/api/fit/matrix", body);
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect((JSON.parse(text) as { error: { message: string } }).error.message).toMatch(message);
    }
    const gguf = join(dir, "truncated.gguf");
    await writeFile(gguf, Buffer.from("GGUF\x03\x00\x00\x00"));
    const trunc = await post("/api/fit", { model: gguf });
    expect(trunc.status).toBe(400);
    expect(await trunc.text()).toMatch(/truncated|ends/i);
  });

  it("GET /api/fit/calibrations: measured vs estimated with the error", async () => {
    expect(await (await api.request("/api/fit/calibrations", { headers: { authorization: `Bearer ${ADMIN}` } })).json()).toEqual([]);
    await repo.insert({
      deploymentId: "d1", deployment: "qwen", node: "box1", gpus: [0], model: "qwen/qwen3-8b", engine: "vllm", optionsHash: "abc",
      options: { ctx: 8192 }, estimatedBytes: 22 * 1024 * MiB, estimatedOverheadBytes: 2 * 1024 * MiB, measuredBytes: 20 * 1024 * MiB, readyAt: 1, at: 2,
    });
    const rows = (await (await api.request("/api/fit/calibrations?limit=5", { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as CalibrationView[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.error).toBeCloseTo(0.1);
  });
});
