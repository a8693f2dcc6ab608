/**
 * The stand-in nvidia-smi: capture parsing and column picking (pure), the simulated multi-GPU box,
 * and the CLI run as a real process the way the agent runs nvidia-smi.
 */
import { execFile, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  captureKey,
  formatHeader,
  formatTable,
  parseFormat,
  parseSections,
  resolveColumns,
} from "../../../agents/stand-in/captures";
import { buildBox, gpuRow, listText, loadLevel, processRows, type Box } from "../../../agents/stand-in/simulated-box";
import { parseComputeApps, parseGpuLines, parseList, parseVersion, GPU_QUERY_FIELDS } from "../../../agents/telemetry/nvidia-smi-parse";
import { loadCaptures, STANDIN } from "./capture-fixtures";

const captures = loadCaptures();
const h100 = captures.get("h100")!;
const UUID_SHAPE = /^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("capture files", () => {
  it("derives the short keys the demo fleet and env use", () => {
    expect([...captures.keys()].sort()).toEqual(["h100", "h100-mig", "rtx-2080-super", "rtx-4080-super"]);
    expect(captureKey("linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt")).toBe("h100");
    expect(captureKey("linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05.txt")).toBe("rtx-4080-super");
  });

  it("splits a capture into its sections with command lines", () => {
    const sections = parseSections("header\n####################\n# idle :: query-gpu (csv)\n# $ nvidia-smi --query-gpu=index\n####################\nindex\n0\n\n\n####################\n# load :: list (-L)\n####################\nGPU 0: X\n");
    expect(sections).toEqual([
      { phase: "idle", name: "query-gpu (csv)", command: "nvidia-smi --query-gpu=index", body: "index\n0" },
      { phase: "load", name: "list (-L)", command: null, body: "GPU 0: X" },
    ]);
  });

  it("reads the full CSV with units split from the header, one row per phase", () => {
    for (const capture of captures.values()) {
      for (const phase of ["idle", "load"] as const) {
        const table = capture.gpu[phase];
        expect(table.rows).toHaveLength(1);
        expect(table.rows[0]).toHaveLength(table.fields.length);
        expect(table.units[table.fields.indexOf("memory.used")]).toBe("MiB");
      }
    }
  });

  it("accepts the aliases listed by --help-query-gpu and rejects unknown fields by the asked name", () => {
    expect(h100.gpuAliases.get("clocks.sm")).toBe("clocks.current.sm");
    expect(h100.gpuAliases.get("gpu_name")).toBe("name");
    expect(h100.appAliases.get("name")).toBe("process_name");
    expect(resolveColumns(["index", "bogus.field"], h100.gpu.idle, h100.gpuAliases)).toEqual({ invalid: "bogus.field" });
    // kmd_version exists in the 595 driver's captures only: a real per-driver difference.
    expect(resolveColumns(["kmd_version"], h100.gpu.idle, h100.gpuAliases)).toEqual({ invalid: "kmd_version" });
    expect(resolveColumns(["kmd_version"], captures.get("rtx-4080-super")!.gpu.idle, captures.get("rtx-4080-super")!.gpuAliases)).toHaveProperty("columns");
  });

  it("formats like nvidia-smi: canonical header with units, nounits strips values only", () => {
    const table = h100.gpu.load;
    const { columns } = resolveColumns(["clocks.sm", "memory.used", "fan.speed"], table, h100.gpuAliases) as { columns: number[] };
    expect(formatHeader(table, columns)).toBe("clocks.current.sm [MHz], memory.used [MiB], fan.speed [%]");
    expect(formatTable(table, table.rows, columns, { header: true, units: true })).toBe("clocks.current.sm [MHz], memory.used [MiB], fan.speed [%]\n1980 MHz, 19818 MiB, [N/A]\n");
    expect(formatTable(table, table.rows, columns, { header: false, units: false })).toBe("1980, 19818, [N/A]\n");
    expect(parseFormat("csv,noheader,nounits")).toEqual({ header: false, units: false });
    expect(parseFormat("noheader")).toBeNull();
    expect(parseFormat("csv,bogus")).toBeNull();
  });
});

function box(keys: string[], over: Partial<Box["config"]> = {}): Box {
  return buildBox({ keys, seed: "testbox", periodS: 20, phase: null, ...over }, captures);
}

const column = (key: string, field: string): number => captures.get(key)!.gpu.idle.fields.indexOf(field);

describe("simulated box", () => {
  const keys = ["h100", "rtx-4080-super", "rtx-4080-super", "rtx-2080-super", "h100-mig"];

  it("gives every GPU its own index, UUID and bus id, stable per box name", () => {
    const b = box(keys);
    const rows = b.gpus.map((g) => gpuRow(b, g, 1_000_000));
    const at = (i: number, field: string): string => rows[i]![column(keys[i]!, field)]!;
    expect(rows.map((_, i) => at(i, "index"))).toEqual(["0", "1", "2", "3", "4"]);
    const uuids = rows.map((_, i) => at(i, "uuid"));
    for (const uuid of uuids) expect(uuid).toMatch(UUID_SHAPE);
    expect(new Set(uuids).size).toBe(5);
    expect(new Set(rows.map((_, i) => at(i, "pci.bus_id"))).size).toBe(5);
    expect(box(keys).gpus.map((g) => g.uuid)).toEqual(uuids);
    expect(box(keys, { seed: "other" }).gpus[0]!.uuid).not.toBe(uuids[0]);
  });

  it("alternates idle and load per GPU, values move every second within the captured range", () => {
    const b = box(["h100"]);
    const gpu = b.gpus[0]!;
    const power = column("h100", "power.draw");
    const seen = new Set<string>();
    const phases = new Set<string>();
    for (let t = 0; t < 40_000; t += 1000) {
      const value = parseFloat(gpuRow(b, gpu, t)[power]!);
      seen.add(String(value));
      phases.add(loadLevel(b, gpu, t).phase);
      // Captured 69.85 W idle and 631.95 W load, plus at most 1.5 % of that distance as noise.
      expect(value).toBeGreaterThanOrEqual(69.85 - 9);
      expect(value).toBeLessThanOrEqual(631.95 + 9);
    }
    expect(phases).toEqual(new Set(["idle", "load"]));
    expect(seen.size).toBeGreaterThan(30);
  });

  it("keeps unavailable values unavailable and constants constant", () => {
    const b = box(["h100-mig"]);
    for (let t = 0; t < 20_000; t += 700) {
      const row = gpuRow(b, b.gpus[0]!, t);
      expect(row[column("h100-mig", "utilization.gpu")]).toBe("[N/A]");
      expect(row[column("h100-mig", "fan.speed")]).toBe("[N/A]");
      expect(row[column("h100-mig", "memory.total")]).toBe("81559 MiB");
      expect(row[column("h100-mig", "power.limit")]).toBe("700.00 W");
    }
  });

  it("replays the captured row exactly when the phase is pinned", () => {
    const b = box(["rtx-2080-super"], { phase: "load" });
    const row = gpuRow(b, b.gpus[0]!, 123_456);
    const captured = captures.get("rtx-2080-super")!.gpu.load.rows[0]!;
    for (const field of ["memory.used", "power.draw", "utilization.gpu", "pstate", "clocks.current.memory"]) {
      expect(row[column("rtx-2080-super", field)]).toBe(captured[column("rtx-2080-super", field)]);
    }
  });

  it("shows a GPU's load processes only in its load half, with PIDs offset per GPU", () => {
    const b = box(["h100", "h100"], { phase: "load" });
    const { rows, table } = processRows(b, 0);
    const pid = table.fields.indexOf("pid");
    const uuid = table.fields.indexOf("gpu_uuid");
    expect(rows.map((r) => Number(r[pid]))).toEqual([11327, 11328, 11345, 111327, 111328, 111345]);
    expect(rows.map((r) => r[uuid])).toEqual([...Array(3).fill(b.gpus[0]!.uuid), ...Array(3).fill(b.gpus[1]!.uuid)]);
    expect(processRows(box(["h100"], { phase: "idle" }), 0).rows).toEqual([]);
  });

  it("lists GPUs and MIG devices with the box's UUIDs", () => {
    const list = parseList(listText(box(["rtx-4080-super", "h100-mig"])));
    expect(list.gpus.map((g) => [g.index, g.name])).toEqual([[0, "NVIDIA GeForce RTX 4080 SUPER"], [1, "NVIDIA H100 80GB HBM3"]]);
    expect(list.migDevices.map((m) => m.gpuIndex)).toEqual([1, 1, 1, 1]);
    expect(new Set(list.migDevices.map((m) => m.uuid)).size).toBe(4);
    for (const m of list.migDevices) expect(m.uuid).toMatch(/^MIG-[0-9a-f]{8}-/);
  });
});

interface Run { code: number | null; stdout: string; stderr: string }

function standin(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(STANDIN, args, { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : (typeof error.code === "number" ? error.code : null), stdout, stderr });
    });
  });
}

const QUERY = [`--query-gpu=${GPU_QUERY_FIELDS.join(",")}`, "--format=csv,noheader,nounits"];

describe("stand-in CLI", () => {
  it("answers --version, -L and a one-shot query for a multi-GPU box", async () => {
    const env = { SWITCHYARD_STANDIN_GPUS: "h100,rtx-2080-super,h100-mig", SWITCHYARD_STANDIN_PHASE: "load" };
    const [version, list, query, apps] = await Promise.all([
      standin(["--version"], env),
      standin(["-L"], env),
      standin(QUERY, env),
      standin(["--query-compute-apps=gpu_uuid,pid,process_name,used_gpu_memory", "--format=csv,noheader,nounits"], env),
    ]);
    expect(parseVersion(version.stdout)).toEqual({ version: "590.48.01", cuda: "13.1" });
    expect(parseList(list.stdout).gpus).toHaveLength(3);
    const gpus = parseGpuLines(query.stdout, GPU_QUERY_FIELDS);
    expect(gpus.map((g) => [g.index, g.memUsedMiB, g.utilGpuPct, g.migMode])).toEqual([[0, 19818, 100, "Disabled"], [1, 819, 8, null], [2, 11125, null, "Enabled"]]);
    expect(gpus.map((g) => g.uuid)).toEqual(parseList(list.stdout).gpus.map((g) => g.uuid));
    expect(parseComputeApps(apps.stdout).map((p) => p.pid)).toEqual([11327, 11328, 11345, 105268, 105267, 221180, 221181, 221198]);
  });

  it("rejects an unknown field exactly as nvidia-smi does", async () => {
    const run = await standin(["--query-gpu=index,bogus.field", "--format=csv"]);
    expect(run).toEqual({ code: 2, stdout: 'Field "bogus.field" is not a valid field to query.\n\n', stderr: "" });
    const older = await standin(QUERY, { SWITCHYARD_STANDIN_FAULT: "missing-field:power.draw.instant" });
    expect(older.stdout).toBe('Field "power.draw.instant" is not a valid field to query.\n\n');
  });

  it("fails like a broken driver stack when asked to", async () => {
    const mismatch = await standin(QUERY, { SWITCHYARD_STANDIN_FAULT: "nvml-mismatch" });
    expect(mismatch.code).toBe(18);
    expect(mismatch.stdout).toMatch(/^Failed to initialize NVML: Driver\/library version mismatch\n/);
    const noDriver = await standin(["-L"], { SWITCHYARD_STANDIN_FAULT: "no-driver" });
    expect(noDriver.code).toBe(9);
    expect(noDriver.stdout).toMatch(/couldn't communicate with the NVIDIA driver/);
  });

  it("loops with -lms, flushing each batch as it is printed, and dies on request", async () => {
    const child = spawn(STANDIN, [...QUERY, "-lms", "200"], {
      env: { ...process.env, SWITCHYARD_STANDIN_GPUS: "h100,rtx-4080-super", SWITCHYARD_STANDIN_FAULT: "die-after:3" },
    });
    const arrivals: { at: number; lines: number }[] = [];
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => arrivals.push({ at: Date.now(), lines: chunk.split("\n").filter(Boolean).length }));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(1);
    // Three batches of two rows, arriving as they are printed (~200 ms apart), not all at exit.
    expect(arrivals.reduce((n, a) => n + a.lines, 0)).toBe(6);
    expect(arrivals.length).toBeGreaterThanOrEqual(2);
    expect(arrivals[arrivals.length - 1]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(200);
  });
});
