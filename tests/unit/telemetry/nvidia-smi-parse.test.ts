/**
 * The pure nvidia-smi parsers against every real capture: the captures' full `--query-gpu` rows go
 * through the stand-in's column picking (as `--format=csv,noheader,nounits` would print them) and
 * then through the agent's parser, and the values must be the ones in the capture.
 */
import { describe, expect, it } from "vitest";
import { pickRow, resolveColumns, type Capture, type CsvFormat } from "../../../agents/stand-in/captures";
import {
  GPU_QUERY_FIELDS,
  parseComputeApps,
  parseGpuLine,
  parseGpuLines,
  parseList,
  parseVersion,
  splitRow,
  toNumber,
  toText,
  withoutField,
} from "../../../agents/telemetry/nvidia-smi-parse";
import { gpuSchema } from "../../../protocol/telemetry";
import { EXPECTED, EXPECTED_APPS, EXPECTED_DRIVER, loadCaptures } from "./capture-fixtures";

const captures = loadCaptures();
const NOUNITS: CsvFormat = { header: false, units: false };
const WITH_UNITS: CsvFormat = { header: false, units: true };

function capture(key: string): Capture {
  const found = captures.get(key);
  if (found === undefined) throw new Error(`no capture ${key}`);
  return found;
}

/** The row nvidia-smi would print for `fields`, picked out of the capture's full CSV. */
function queryLine(key: string, phase: "idle" | "load", fields: readonly string[], format = NOUNITS): string {
  const c = capture(key);
  const table = c.gpu[phase];
  const resolved = resolveColumns(fields, table, c.gpuAliases);
  if ("invalid" in resolved) throw new Error(`capture ${key} rejects ${resolved.invalid}`);
  return pickRow(table.rows[0]!, table, resolved.columns, format);
}

describe("parseGpuLine over every capture", () => {
  it("covers all four machines in both phases", () => {
    expect(new Set(EXPECTED.map((e) => e.key))).toEqual(new Set(captures.keys()));
  });

  it.each(EXPECTED)("$key $phase", (e) => {
    const line = queryLine(e.key, e.phase, GPU_QUERY_FIELDS);
    const gpu = parseGpuLine(line, GPU_QUERY_FIELDS);
    expect(gpu).toEqual({
      index: 0,
      uuid: "GPU-00000000-0000-0000-0000-000000000000",
      name: e.name,
      memTotalMiB: e.memTotalMiB,
      memUsedMiB: e.memUsedMiB,
      utilGpuPct: e.utilGpuPct,
      tempC: e.tempC,
      powerW: e.powerW,
      powerLimitW: e.powerLimitW,
      utilMemPct: e.utilMemPct,
      fanPct: e.fanPct,
      smClockMHz: e.smClockMHz,
      memClockMHz: e.memClockMHz,
      pstate: e.pstate,
      migMode: e.migMode,
    });
    expect(() => gpuSchema.parse(gpu)).not.toThrow();
  });

  it.each(EXPECTED)("$key $phase: units in the values are stripped", (e) => {
    const withUnits = queryLine(e.key, e.phase, GPU_QUERY_FIELDS, WITH_UNITS);
    expect(withUnits).toMatch(/ MiB, /);
    expect(parseGpuLine(withUnits, GPU_QUERY_FIELDS)).toEqual(parseGpuLine(queryLine(e.key, e.phase, GPU_QUERY_FIELDS), GPU_QUERY_FIELDS));
  });

  it.each(EXPECTED)("$key $phase: power falls back to power.draw.instant when power.draw is unavailable", (e) => {
    const line = queryLine(e.key, e.phase, GPU_QUERY_FIELDS).split(", ");
    line[GPU_QUERY_FIELDS.indexOf("power.draw")] = "[N/A]";
    expect(parseGpuLine(line.join(", "), GPU_QUERY_FIELDS)?.powerW).toBe(e.powerInstantW);
    line[GPU_QUERY_FIELDS.indexOf("power.draw.instant")] = "[Not Supported]";
    expect(parseGpuLine(line.join(", "), GPU_QUERY_FIELDS)?.powerW).toBeNull();
  });

  it("reads a field list without power.draw.instant (older drivers) and with canonical names", () => {
    const fields = ["index", "uuid", "name", "power.draw", "clocks.current.sm", "clocks.current.memory", "memory.used"];
    const gpu = parseGpuLine(queryLine("h100", "load", fields), fields);
    expect(gpu).toMatchObject({ powerW: 631.95, smClockMHz: 1980, memClockMHz: 2619, memUsedMiB: 19818 });
    // Additions that were not asked for are absent, contract fields are null.
    expect(gpu).not.toHaveProperty("fanPct");
    expect(gpu?.tempC).toBeNull();
  });
});

describe("unavailable values", () => {
  const TOKENS = [
    "[N/A]", "N/A", "[Not Supported]", "[Insufficient Permissions]", "[Unknown Error]",
    "[Requested functionality has been deprecated]", "Requested functionality has been deprecated",
    "[GPU requires reset]", "", "ERR!", "n/a",
  ];
  const NUMERIC = ["memory.total", "memory.used", "utilization.gpu", "utilization.memory", "temperature.gpu", "power.limit", "fan.speed", "clocks.sm", "clocks.mem"];
  const row = queryLine("rtx-2080-super", "load", GPU_QUERY_FIELDS).split(", ");

  it.each(TOKENS.flatMap((token) => NUMERIC.map((field) => ({ token, field }))))("$field = '$token' is null, never 0", ({ token, field }) => {
    const cells = [...row];
    cells[GPU_QUERY_FIELDS.indexOf(field)] = token;
    const gpu = parseGpuLine(cells.join(", "), GPU_QUERY_FIELDS)!;
    const key = { "memory.total": "memTotalMiB", "memory.used": "memUsedMiB", "utilization.gpu": "utilGpuPct", "utilization.memory": "utilMemPct",
      "temperature.gpu": "tempC", "power.limit": "powerLimitW", "fan.speed": "fanPct", "clocks.sm": "smClockMHz", "clocks.mem": "memClockMHz" }[field] as keyof typeof gpu;
    expect(gpu[key]).toBeNull();
  });

  it.each(TOKENS)("text columns: '%s' is null", (token) => {
    const cells = [...row];
    cells[GPU_QUERY_FIELDS.indexOf("pstate")] = token;
    cells[GPU_QUERY_FIELDS.indexOf("mig.mode.current")] = token;
    const gpu = parseGpuLine(cells.join(", "), GPU_QUERY_FIELDS)!;
    if (token === "ERR!") return expect(gpu.pstate).toBe("ERR!"); // not a known token: kept as text
    expect(gpu.pstate).toBeNull();
    expect(gpu.migMode).toBeNull();
  });

  it("toNumber accepts units and rejects anything else", () => {
    expect(toNumber("81559 MiB")).toBe(81559);
    expect(toNumber("98 %")).toBe(98);
    expect(toNumber("295.00W")).toBe(295);
    expect(toNumber(" 42 ")).toBe(42);
    expect(toNumber("0")).toBe(0);
    for (const bad of ["", "   ", "0x1F", "Infinity", "NaN", "12 34", "[0]", "P0"]) expect(toNumber(bad)).toBeNull();
    expect(toText(" P2 ")).toBe("P2");
  });
});

describe("several GPUs", () => {
  it("parses a multi-GPU batch and skips lines that are not rows", () => {
    const lines = ["h100", "rtx-4080-super", "h100-mig"].map((key, i) => queryLine(key, "load", GPU_QUERY_FIELDS).replace(/^0, /, `${i}, `));
    const text = ["WARNING: infoROM is corrupted at gpu 0000:02:00.0", ...lines, "0, GPU-truncated"].join("\n");
    const gpus = parseGpuLines(text, GPU_QUERY_FIELDS);
    expect(gpus.map((g) => [g.index, g.name, g.memUsedMiB, g.utilGpuPct])).toEqual([
      [0, "NVIDIA H100 80GB HBM3", 19818, 100],
      [1, "NVIDIA GeForce RTX 4080 SUPER", 1474, 7],
      [2, "NVIDIA H100 80GB HBM3", 11125, null],
    ]);
  });

  it("keeps a GPU name containing commas whole", () => {
    const fields = ["index", "name", "memory.used"];
    expect(parseGpuLine("3, Custom, Board, Inc, 512", fields)).toMatchObject({ index: 3, name: "Custom, Board, Inc", memUsedMiB: 512 });
  });

  it("rejects headers and rows whose index is not a GPU index", () => {
    expect(parseGpuLine(GPU_QUERY_FIELDS.join(", "), GPU_QUERY_FIELDS)).toBeNull();
    expect(parseGpuLine("", GPU_QUERY_FIELDS)).toBeNull();
    expect(parseGpuLine("-1, GPU-x, n", ["index", "uuid", "name"])).toBeNull();
    expect(splitRow("a, b", 3, 1)).toBeNull();
  });
});

describe("parseComputeApps", () => {
  const APP_FIELDS = ["gpu_uuid", "pid", "process_name", "used_gpu_memory"];
  const cases = Object.entries(EXPECTED_APPS).flatMap(([key, phases]) =>
    (["idle", "load"] as const).map((phase) => ({ key, phase, expected: phases[phase] })));

  it.each(cases)("$key $phase", ({ key, phase, expected }) => {
    const c = capture(key);
    const table = c.apps[phase];
    const resolved = resolveColumns(APP_FIELDS, table, c.appAliases);
    if ("invalid" in resolved) throw new Error(resolved.invalid);
    const text = table.rows.map((row) => pickRow(row, table, resolved.columns, NOUNITS)).join("\n");
    expect(parseComputeApps(text)).toEqual(expected.map(([pid, name, usedMiB]) => ({ gpuUuid: "GPU-00000000-0000-0000-0000-000000000000", pid, name, usedMiB })));
  });

  it("reads process names containing ', ' from both ends", () => {
    const text = [
      "GPU-aaaa, 4242, python3 -m vllm.entrypoints.openai.api_server, --model, x, 20480",
      "GPU-bbbb, 77, C:\\Program Files\\App, Inc\\app.exe, [N/A]",
      "GPU-cccc, 78, [Insufficient Permissions], 100 MiB",
    ].join("\n");
    expect(parseComputeApps(text)).toEqual([
      { gpuUuid: "GPU-aaaa", pid: 4242, name: "python3 -m vllm.entrypoints.openai.api_server, --model, x", usedMiB: 20480 },
      { gpuUuid: "GPU-bbbb", pid: 77, name: "C:\\Program Files\\App, Inc\\app.exe", usedMiB: null },
      { gpuUuid: "GPU-cccc", pid: 78, name: "", usedMiB: 100 },
    ]);
  });

  it("returns nothing for empty output or noise", () => {
    expect(parseComputeApps("")).toEqual([]);
    expect(parseComputeApps("No running processes found\n")).toEqual([]);
  });
});

describe("parseVersion", () => {
  it.each(Object.entries(EXPECTED_DRIVER))("%s --version", (key, expected) => {
    expect(parseVersion(capture(key).version)).toEqual(expected);
  });

  it("reads the default table's banner (drivers without --version) and gives nulls for garbage", () => {
    const banner = "| NVIDIA-SMI 535.54.03   Driver Version: 535.54.03    CUDA Version: 12.2     |";
    expect(parseVersion(banner)).toEqual({ version: "535.54.03", cuda: "12.2" });
    expect(parseVersion("Invalid combination of input arguments.")).toEqual({ version: null, cuda: null });
  });
});

describe("parseList", () => {
  it("lists the MIG capture's GPU and its four MIG devices", () => {
    const list = parseList(capture("h100-mig").list);
    expect(list.gpus).toEqual([{ index: 0, name: "NVIDIA H100 80GB HBM3", uuid: "GPU-00000000-0000-0000-0000-000000000000" }]);
    expect(list.migDevices.map((m) => [m.gpuIndex, m.index, m.profile])).toEqual([[0, 0, "3g.40gb"], [0, 1, "2g.20gb"], [0, 2, "1g.10gb"], [0, 3, "1g.10gb"]]);
    expect(list.migDevices[3]!.uuid).toBe("MIG-00000003-0000-0000-0000-000000000003");
  });

  it("lists several GPUs, including the older MIG UUID form", () => {
    const text = "GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-1)\n  MIG 1g.10gb Device 0: (UUID: MIG-GPU-1/7/0)\nGPU 1: NVIDIA GeForce RTX 3090 (UUID: GPU-2)\n";
    const list = parseList(text);
    expect(list.gpus.map((g) => g.uuid)).toEqual(["GPU-1", "GPU-2"]);
    expect(list.migDevices).toEqual([{ gpuIndex: 0, index: 0, profile: "1g.10gb", uuid: "MIG-GPU-1/7/0" }]);
    expect(parseList("No devices were found")).toEqual({ gpus: [], migDevices: [] });
  });
});

describe("withoutField", () => {
  it("drops optional fields only", () => {
    expect(withoutField(GPU_QUERY_FIELDS, "power.draw.instant")).not.toContain("power.draw.instant");
    expect(withoutField(GPU_QUERY_FIELDS, "power.draw.instant")).toHaveLength(GPU_QUERY_FIELDS.length - 1);
    expect(withoutField(GPU_QUERY_FIELDS, "uuid")).toBeNull();
    expect(withoutField(GPU_QUERY_FIELDS, "not.ours")).toBeNull();
  });
});
