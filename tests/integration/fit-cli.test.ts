/**
 * `npx switchyard fit` as users run it (the real bin, a real process): offline with --gpu-mem,
 * against a real server's fit matrix (REST over HTTP, a fleet with live telemetry), with no server,
 * and every kind of bad input with its exit code (2 usage, 1 a model that cannot be read).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve, type ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApi } from "../../server/api/app";
import { createAuth } from "../../server/core/auth";
import { createSessions } from "../../server/core/sessions";
import { sessionsRepo } from "../../server/db/repos/sessions-repo";
import { createFleet } from "../../server/core/fleet";
import { createFitService } from "../../server/core/fit/service";
import { createHistory } from "../../server/core/history";
import { openMemoryDatabase } from "../../server/db/client";
import { fitRepo } from "../../server/db/repos/fit-repo";
import { nodesRepo } from "../../server/db/repos/nodes-repo";
import { samplesRepo } from "../../server/db/repos/samples-repo";
import { settingsRepo } from "../../server/db/repos/settings-repo";
import { writeGguf, writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { gpu, sample } from "../helpers/samples";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(root, "bin/switchyard.mjs");
const ADMIN = "admin-token-for-fit-cli";

let dir: string;
let server: ServerType;
let url: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const e: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_URL: undefined, SWITCHYARD_TOKEN: undefined, ...env };
    execFile(process.execPath, [BIN, "fit", ...args], { cwd: dir, env: e, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "fit-cli-"));
  await writeTinyLlamaGguf(path.join(dir, "tiny.gguf"), { layers: 2, embd: 256, heads: 4, kvHeads: 2, ff: 688 });
  // A header that stops mid-way: the reader must say so, not guess.
  await writeFile(path.join(dir, "truncated.gguf"), Buffer.from("GGUF\x03\x00\x00\x00\x05\x00\x00\x00"));
  // An architecture nobody knows: estimate from what is there, and say what is missing.
  await writeGguf(path.join(dir, "mystery.gguf"), {
    metadata: { "general.architecture": "mystery", "general.file_type": 1 },
    tensors: [{ name: "token_embd.weight", type: "F16", shape: [512, 1000] }, { name: "blk.0.attn_q.weight", type: "F16", shape: [512, 512] }, { name: "blk.1.attn_q.weight", type: "F16", shape: [512, 512] }],
  });

  const db = openMemoryDatabase();
  const auth = await createAuth(settingsRepo(db), { adminToken: ADMIN });
  const fleet = await createFleet(nodesRepo(db));
  const id = await fleet.connect({ name: "box1", agentVersion: "0.1.0", facts: { hostname: "box1", os: "linux", arch: "x64", cpuModel: null, cpuCores: 2, memTotalBytes: 8e9 } });
  await fleet.ingest(id, [sample(Date.now(), { gpus: [gpu(0, { memUsedMiB: 20000 }), gpu(1, { memUsedMiB: 1000 })] })]);
  const api = createApi({
    auth, sessions: createSessions(sessionsRepo(db)), fleet, history: createHistory(samplesRepo(db)), isReady: () => true,
    hubStats: () => ({ connected: 0, messages: 0, malformed: 0, refused: 0, liveClients: 0 }),
    fit: createFitService({ fleet, repo: fitRepo(db), hub: null }),
  });
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: api.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe("switchyard fit", () => {
  it("offline with --gpu-mem: the contract's JSON for a local GGUF", async () => {
    const r = await cli(["tiny.gguf", "--ctx", "8192", "--parallel", "2", "--gpu-mem", "8GiB", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const k of ["weightsBytes", "kvCacheBytes", "kvCacheTokens", "overheadBytes", "totalBytes", "fits", "maxContext", "perGpu"]) expect(j).toHaveProperty(k);
    expect(j).toMatchObject({ engine: "llamacpp", fits: true, kvCacheTokens: 8192, perGpu: [{ index: 0, capacityBytes: 8 * 2 ** 30 }] });
  });

  it("against the fleet: where it fits, judged on measured free memory", async () => {
    const env = { SWITCHYARD_URL: url, SWITCHYARD_TOKEN: ADMIN };
    const [json, human] = await Promise.all([cli(["Qwen/Qwen3-8B", "--ctx", "8192", "--json"], env), cli(["Qwen/Qwen3-8B", "--ctx", "8192"], env)]);
    expect(json.code, json.stderr).toBe(0);
    const j = JSON.parse(json.stdout) as { fits: boolean; placement: unknown; perGpu: { index: number; capacityBytes: number }[] };
    // GPU 0 is mostly held by another program: GPU 1 is the place.
    expect(j).toMatchObject({ fits: true, placement: { node: "box1", gpus: [1], verdict: "fits" } });
    expect(j.perGpu).toEqual([expect.objectContaining({ index: 1, capacityBytes: (24576 - 1000) * 2 ** 20 })]);
    expect(human.stdout).toMatch(/best place: box1 GPU 1 \(fits, \d+ % headroom\); 1 of 3 GPU sets in the fleet fit/);
    expect(human.stdout).toMatch(/^ {2}weights +15\.26 GiB/m);
  });

  it("with no server and no --gpu-mem: fits is null, with a note", async () => {
    const r = await cli(["Qwen/Qwen3-8B", "--json"], { SWITCHYARD_URL: "http://127.0.0.1:1", SWITCHYARD_TOKEN: "x" });
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { fits: unknown; warnings: string[] };
    expect(j.fits).toBeNull();
    expect(j.warnings[0]).toMatch(/no --gpu-mem and no Switchyard server to ask \(http:\/\/127\.0\.0\.1:1 is unreachable/);
    const noToken = await cli(["Qwen/Qwen3-8B", "--json"]);
    expect(JSON.parse(noToken.stdout).warnings[0]).toMatch(/SWITCHYARD_TOKEN is not set/);
  });

  it("estimates an unknown architecture from what is known, and marks it uncertain", async () => {
    const r = await cli(["mystery.gguf", "--ctx", "2048", "--gpu-mem", "8GiB"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/uncertain: missing fact: /);
    expect(r.stdout).toMatch(/fits +yes/);
  });

  it("fails clearly on input it cannot use, with the right exit code", async () => {
    const cases: [string[], number, RegExp][] = [
      [["truncated.gguf", "--gpu-mem", "8GiB"], 1, /truncated\.gguf: .*(truncated|ends)/i],
      [["missing.gguf"], 1, /missing\.gguf: cannot read GGUF file \(no such file\)/],
      [["acme/never-heard-of-it", "--gpu-mem", "8GiB"], 1, /not in the offline catalog/],
      [["Qwen/Qwen3-8B", "--tp", "3", "--gpu-mem", "24GiB,24GiB,24GiB"], 2, /--tp 3 does not divide the model's 32 attention heads/],
      [["Qwen/Qwen3-8B", "--engine", "vllm", "--kv-dtype", "q4_0", "--gpu-mem", "24GiB"], 2, /vllm has no q4_0 KV cache/],
      [["Qwen/Qwen3-8B", "--gpu-mem", "lots"], 2, /"lots" is not a memory size/],
      [["Qwen/Qwen3-8B", "--ctx", "0"], 2, /--ctx must be a whole number of at least 1/],
      [[], 2, /MODEL is missing/],
      [["Qwen/Qwen3-8B", "--frobnicate"], 2, /Unknown option '--frobnicate'/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args)));
    runs.forEach((r, i) => {
      const [args, code, message] = cases[i]!;
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, never a stack trace
    });
  });
});
