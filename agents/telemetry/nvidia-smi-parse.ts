/**
 * Pure parsers for nvidia-smi's CSV output (no I/O; the runner feeds them). Table-tested against
 * real captures in tests/unit/telemetry. Rules from the contract: every value nvidia-smi reports as
 * unavailable becomes `null`, never 0; units are stripped even when `nounits` was not honoured
 * (stand-ins and hand-made files carry `MiB`, `W`, `%`).
 */
import type { DriverInfo, Gpu, GpuProcess } from "../../protocol/telemetry";

export { classifyFailure, isUnavailable, type FailureKind, type SmiFailure } from "./nvidia-smi-failure";

/**
 * What the agent asks `--query-gpu` for. Short aliases (`clocks.sm`, `clocks.mem`) are accepted by
 * every driver from the last decade. Fields newer drivers added (`power.draw.instant`, 530+;
 * `mig.mode.current`, 450+) are dropped by the runner when a driver rejects them.
 */
export const GPU_QUERY_FIELDS: readonly string[] = [
  "index",
  "uuid",
  "name",
  "memory.total",
  "memory.used",
  "utilization.gpu",
  "utilization.memory",
  "temperature.gpu",
  "power.draw",
  "power.draw.instant",
  "power.limit",
  "fan.speed",
  "clocks.sm",
  "clocks.mem",
  "pstate",
  "mig.mode.current",
];

/** Without these a row cannot be attributed to a GPU, so they are never dropped. */
export const REQUIRED_GPU_FIELDS: readonly string[] = ["index", "uuid", "name"];

/** `parseComputeApps` relies on this order: the free-text name sits between fixed columns. */
export const COMPUTE_APP_FIELDS: readonly string[] = ["gpu_uuid", "pid", "process_name", "used_gpu_memory"];

type GpuKey =
  | "index" | "uuid" | "name" | "memTotal" | "memUsed" | "utilGpu" | "utilMem" | "temp"
  | "powerDraw" | "powerInstant" | "powerLimit" | "fan" | "smClock" | "memClock" | "pstate" | "migMode";

/** Canonical names and the aliases nvidia-smi's `--help-query-gpu` lists for them. */
const FIELD_KEYS: Readonly<Record<string, GpuKey>> = {
  index: "index",
  uuid: "uuid", gpu_uuid: "uuid",
  name: "name", gpu_name: "name",
  "memory.total": "memTotal",
  "memory.used": "memUsed",
  "utilization.gpu": "utilGpu",
  "utilization.memory": "utilMem",
  "temperature.gpu": "temp",
  "power.draw": "powerDraw",
  "power.draw.instant": "powerInstant", "gpu.power.draw.instant": "powerInstant",
  "power.limit": "powerLimit", "gpu.power.requested_limit": "powerLimit",
  "enforced.power.limit": "powerLimit", "gpu.power.current_limit": "powerLimit",
  "fan.speed": "fan",
  "clocks.sm": "smClock", "clocks.current.sm": "smClock",
  "clocks.mem": "memClock", "clocks.current.memory": "memClock",
  pstate: "pstate",
  "mig.mode.current": "migMode",
};

/** How nvidia-smi spells "no value here", bracketed or not, across driver generations. */
const UNAVAILABLE = new Set([
  "n/a",
  "not supported",
  "insufficient permissions",
  "unknown error",
  "requested functionality has been deprecated",
  "not available",
  "gpu requires reset",
]);

const NUMBER_WITH_UNIT = /^(-?(?:\d+(?:\.\d*)?|\.\d+))\s*[A-Za-z%]*$/;

/** A numeric column: bracketed tokens, words, empty cells and non-finite values are all `null`. */
export function toNumber(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const match = NUMBER_WITH_UNIT.exec(raw.trim());
  if (match === null) return null;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : null;
}

/** A text column: `[N/A]`-style tokens (bracketed or bare) and empty cells are `null`. */
export function toText(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const text = raw.trim();
  if (text === "") return null;
  if (text.startsWith("[") && text.endsWith("]")) return null;
  return UNAVAILABLE.has(text.toLowerCase()) ? null : text;
}

/**
 * Splits one CSV row into exactly `expected` cells. nvidia-smi neither quotes nor escapes, so a
 * free-text column (GPU or process name) may itself contain ", ": surplus commas are given back to
 * that column, reading the fixed columns from both ends. Returns null if the row is too short.
 */
export function splitRow(line: string, expected: number, freeTextColumn: number): string[] | null {
  const parts = line.split(",");
  if (parts.length < expected) return null;
  if (parts.length > expected && freeTextColumn >= 0) {
    const surplus = parts.length - expected;
    const merged = parts.slice(freeTextColumn, freeTextColumn + surplus + 1).join(",");
    parts.splice(freeTextColumn, surplus + 1, merged);
  }
  if (parts.length !== expected) return null;
  for (let i = 0; i < parts.length; i++) parts[i] = parts[i]!.trim();
  return parts;
}

type Layout = { columns: Partial<Record<GpuKey, number>>; count: number; nameColumn: number };
// The runner passes the same fields array for every line; resolve its layout once.
const layouts = new WeakMap<readonly string[], Layout>();

function layoutOf(fields: readonly string[]): Layout {
  let layout = layouts.get(fields);
  if (layout === undefined) {
    const columns: Partial<Record<GpuKey, number>> = {};
    fields.forEach((field, i) => {
      const key = FIELD_KEYS[field.trim()];
      if (key !== undefined && columns[key] === undefined) columns[key] = i;
    });
    layout = { columns, count: fields.length, nameColumn: columns.name ?? -1 };
    layouts.set(fields, layout);
  }
  return layout;
}

/**
 * One `--query-gpu` row (csv, with or without units) in the order of `fields`. Returns null for a
 * line that is not a GPU row (a header, a driver warning, a truncated line). Additions beyond the
 * contract are present only when their field was queried.
 */
export function parseGpuLine(line: string, fields: readonly string[]): Gpu | null {
  const layout = layoutOf(fields);
  const cells = splitRow(line, layout.count, layout.nameColumn);
  if (cells === null) return null;
  const { columns } = layout;
  const cell = (key: GpuKey): string | undefined => {
    const i = columns[key];
    return i === undefined ? undefined : cells[i];
  };
  const index = toNumber(cell("index"));
  if (index === null || !Number.isInteger(index) || index < 0) return null;

  const gpu: Gpu = {
    index,
    // Never seen unavailable, but a row without an identity must still be addressable.
    uuid: toText(cell("uuid")) ?? `GPU-unknown-${index}`,
    name: toText(cell("name")) ?? "NVIDIA GPU",
    memTotalMiB: toNumber(cell("memTotal")),
    memUsedMiB: toNumber(cell("memUsed")),
    utilGpuPct: toNumber(cell("utilGpu")),
    tempC: toNumber(cell("temp")),
    // Newer drivers may report power.draw as N/A while the instantaneous reading has a value.
    powerW: toNumber(cell("powerDraw")) ?? toNumber(cell("powerInstant")),
    powerLimitW: toNumber(cell("powerLimit")),
  };
  if (columns.utilMem !== undefined) gpu.utilMemPct = toNumber(cell("utilMem"));
  if (columns.fan !== undefined) gpu.fanPct = toNumber(cell("fan"));
  if (columns.smClock !== undefined) gpu.smClockMHz = toNumber(cell("smClock"));
  if (columns.memClock !== undefined) gpu.memClockMHz = toNumber(cell("memClock"));
  if (columns.pstate !== undefined) gpu.pstate = toText(cell("pstate"));
  if (columns.migMode !== undefined) gpu.migMode = toText(cell("migMode"));
  return gpu;
}

/** All GPU rows of a `--query-gpu` output; lines that are not rows are skipped. */
export function parseGpuLines(text: string, fields: readonly string[]): Gpu[] {
  const gpus: Gpu[] = [];
  for (const line of text.split("\n")) {
    const gpu = parseGpuLine(line, fields);
    if (gpu !== null) gpus.push(gpu);
  }
  return gpus;
}

/**
 * `--query-compute-apps=gpu_uuid,pid,process_name,used_gpu_memory --format=csv,noheader,nounits`.
 * The process name is free text ("python3, worker" happens), so uuid and pid are read from the
 * left and the memory from the right. On MIG, gpu_uuid is the parent GPU's UUID.
 */
export function parseComputeApps(text: string): GpuProcess[] {
  const processes: GpuProcess[] = [];
  for (const line of text.split("\n")) {
    const cells = splitRow(line, COMPUTE_APP_FIELDS.length, 2);
    if (cells === null) continue;
    const [uuid, pidText, name, used] = cells as [string, string, string, string];
    const pid = toNumber(pidText);
    const gpuUuid = toText(uuid);
    if (pid === null || !Number.isInteger(pid) || pid < 0 || gpuUuid === null) continue;
    // The schema's name is a string; an unreadable name (e.g. [Insufficient Permissions]) is "".
    processes.push({ gpuUuid, pid, name: toText(name) ?? "", usedMiB: toNumber(used) });
  }
  return processes;
}

/**
 * `nvidia-smi --version` ("DRIVER version : 590.48.01", "CUDA Version : 13.1"). Also reads the
 * banner of the default table ("Driver Version: 590.48.01   CUDA Version: 13.1"), which is all
 * drivers older than `--version` (≈ 2022) can offer.
 */
export function parseVersion(text: string): DriverInfo {
  const driver = /DRIVER version\s*:\s*([0-9][\w.-]*)/i.exec(text);
  const cuda = /CUDA Version\s*:\s*([0-9][\d.]*)/i.exec(text);
  return { version: driver?.[1] ?? null, cuda: cuda?.[1] ?? null };
}

export interface ListedGpu { index: number; name: string; uuid: string }
export interface ListedMigDevice { gpuIndex: number; index: number; profile: string; uuid: string }
export interface GpuList { gpus: ListedGpu[]; migDevices: ListedMigDevice[] }

const LIST_GPU = /^GPU (\d+): (.*?) \(UUID: ([^)]+)\)\s*$/;
const LIST_MIG = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: ([^)]+)\)\s*$/;

/**
 * `nvidia-smi -L`. MIG devices are listed under their GPU but `--query-gpu` reports only the
 * physical GPUs, so `gpus.length` is how many rows each loop batch has.
 */
export function parseList(text: string): GpuList {
  const result: GpuList = { gpus: [], migDevices: [] };
  for (const line of text.split("\n")) {
    const gpu = LIST_GPU.exec(line);
    if (gpu !== null) {
      result.gpus.push({ index: Number(gpu[1]), name: gpu[2]!, uuid: gpu[3]! });
      continue;
    }
    const mig = LIST_MIG.exec(line);
    const parent = result.gpus[result.gpus.length - 1];
    if (mig !== null && parent !== undefined) {
      result.migDevices.push({ gpuIndex: parent.index, index: Number(mig[2]), profile: mig[1]!, uuid: mig[3]! });
    }
  }
  return result;
}

/**
 * The field list without a field the driver rejected, or null when it cannot be dropped (it is
 * required, or not ours: then retrying without it would loop forever).
 */
export function withoutField(fields: readonly string[], field: string): string[] | null {
  if (REQUIRED_GPU_FIELDS.includes(field) || !fields.includes(field)) return null;
  return fields.filter((f) => f !== field);
}
