/**
 * STAND-IN (tests and demos only): one simulated multi-GPU box built from real captures. Each GPU
 * replays its capture's idle and load rows, alternating with a per-GPU offset and gliding between
 * them, so dashboards see values move every second while everything the driver reported as
 * unavailable stays unavailable. Pure given the clock: every function takes `nowMs`.
 */
import { createHash } from "node:crypto";
import type { Capture, CsvTable, Phase } from "./captures";

export interface BoxConfig {
  /** Capture keys in GPU index order. */
  keys: string[];
  /** Box name: makes UUIDs, phase offsets and noise differ between boxes. */
  seed: string;
  periodS: number;
  /** Pins every GPU to one phase and replays the captured rows exactly (for exact assertions). */
  phase: Phase | null;
}

export interface BoxGpu { index: number; capture: Capture; uuid: string; busId: string; offset: number }
export interface Box { config: BoxConfig; gpus: BoxGpu[]; driver: Capture }

/** Seconds of each half spent gliding from the other half's values, as a share of the period. */
const RAMP = 0.15;
/** Jitter as a share of the idle→load distance: visible, and zero for constants such as totals. */
const NOISE = 0.015;

function digest(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** A stable, distinct UUID in nvidia-smi's shape (`GPU-8-4-4-4-12`); captures mask them to zeros. */
export function standInUuid(prefix: "GPU" | "MIG", ...parts: (string | number)[]): string {
  const h = digest(parts.join("/"));
  return `${prefix}-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function fraction(...parts: (string | number)[]): number {
  return parseInt(digest(parts.join("/")).slice(0, 8), 16) / 0x1_0000_0000;
}

export function buildBox(config: BoxConfig, captures: ReadonlyMap<string, Capture>): Box {
  const gpus = config.keys.map((key, index): BoxGpu => {
    const capture = captures.get(key);
    if (capture === undefined) throw new Error(`no capture "${key}" (have: ${[...captures.keys()].sort().join(", ")})`);
    return {
      index,
      capture,
      uuid: standInUuid("GPU", config.seed, index),
      busId: `00000000:${(0x18 + 0x10 * index).toString(16).toUpperCase().padStart(2, "0")}:00.0`,
      offset: fraction(config.seed, "offset", index),
    };
  });
  if (gpus.length === 0) throw new Error("a stand-in box needs at least one GPU");
  // A real box runs one driver: the first GPU's capture speaks for `--version` and field validity.
  return { config, gpus, driver: gpus[0]!.capture };
}

/** 0 = captured idle row, 1 = captured load row; and which half of its cycle the GPU is in. */
export function loadLevel(box: Box, gpu: BoxGpu, nowMs: number): { level: number; phase: Phase } {
  if (box.config.phase !== null) return { level: box.config.phase === "load" ? 1 : 0, phase: box.config.phase };
  const cycle = (nowMs / 1000 / box.config.periodS + gpu.offset) % 1;
  if (cycle < 0.5) return { level: Math.max(0, 1 - cycle / RAMP), phase: "idle" };
  return { level: Math.min(1, (cycle - 0.5) / RAMP), phase: "load" };
}

const NUMERIC = /^(-?\d+(?:\.(\d+))?)( \S+)?$/;

function interpolate(idle: string, load: string, level: number, jitter: number, unit: string | null): string | null {
  const a = NUMERIC.exec(idle);
  const b = NUMERIC.exec(load);
  if (a === null || b === null || a[3] !== b[3]) return null;
  const from = Number(a[1]);
  const to = Number(b[1]);
  let value = from + (to - from) * level + Math.abs(to - from) * NOISE * jitter;
  value = Math.max(0, unit === "%" ? Math.min(100, value) : value);
  const decimals = Math.max(a[2]?.length ?? 0, b[2]?.length ?? 0);
  return value.toFixed(decimals) + (a[3] ?? "");
}

/** nvidia-smi's timestamp column: local time, `YYYY/MM/DD HH:MM:SS.mmm`. */
export function timestamp(nowMs: number): string {
  const d = new Date(nowMs);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

function setCell(table: CsvTable, row: string[], field: string, value: string): void {
  const column = table.fields.indexOf(field);
  if (column >= 0) row[column] = value;
}

/** The full `--query-gpu` row (in the GPU's capture column order) this GPU reports at `nowMs`. */
export function gpuRow(box: Box, gpu: BoxGpu, nowMs: number): string[] {
  const { level, phase } = loadLevel(box, gpu, nowMs);
  const table = gpu.capture.gpu[phase];
  const idle = gpu.capture.gpu.idle.rows[0]!;
  const load = gpu.capture.gpu.load.rows[0]!;
  const row = [...table.rows[0]!];
  if (box.config.phase === null) {
    for (let c = 0; c < row.length; c++) {
      if (idle[c] === load[c]) continue;
      const jitter = fraction(box.config.seed, gpu.index, c, nowMs) * 2 - 1;
      row[c] = interpolate(idle[c]!, load[c]!, level, jitter, table.units[c] ?? null) ?? row[c]!;
    }
    keepMemoryConsistent(table, row);
  }
  setCell(table, row, "timestamp", timestamp(nowMs));
  setCell(table, row, "index", String(gpu.index));
  setCell(table, row, "count", String(box.gpus.length));
  setCell(table, row, "uuid", gpu.uuid);
  setCell(table, row, "pci.bus_id", gpu.busId);
  setCell(table, row, "pci.bus", `0x${gpu.busId.slice(9, 11)}`);
  setCell(table, row, "driver_version", cell(box.driver.gpu.idle, "driver_version") ?? "[N/A]");
  return row;
}

function cell(table: CsvTable, field: string): string | undefined {
  const column = table.fields.indexOf(field);
  return column < 0 ? undefined : table.rows[0]?.[column];
}

/** Interpolating used and free separately would break `used + free + reserved = total`. */
function keepMemoryConsistent(table: CsvTable, row: string[]): void {
  const at = (f: string): number => table.fields.indexOf(f);
  const [total, reserved, used, free] = [at("memory.total"), at("memory.reserved"), at("memory.used"), at("memory.free")];
  if (total < 0 || used < 0 || free < 0) return;
  const n = (c: number): number => parseInt(row[c] ?? "", 10);
  const usedMiB = Math.min(n(used), n(total) - (reserved >= 0 ? n(reserved) : 0));
  if (!Number.isFinite(usedMiB)) return;
  row[used] = `${usedMiB} MiB`;
  row[free] = `${n(total) - (reserved >= 0 ? n(reserved) : 0) - usedMiB} MiB`;
}

/**
 * Compute-app rows (in the capture's column order) across the box at `nowMs`: each GPU shows the
 * processes of the half it is in (the load section's burners, or e.g. a desktop compositor at
 * idle), re-pointed at its own UUID and bus id, PIDs offset per GPU so they stay distinct.
 */
export function processRows(box: Box, nowMs: number): { table: CsvTable; rows: string[][] } {
  const table = box.driver.apps.load;
  const rows: string[][] = [];
  for (const gpu of box.gpus) {
    const source = gpu.capture.apps[loadLevel(box, gpu, nowMs).phase];
    for (const captured of source.rows) {
      const row = table.fields.map((f) => {
        const c = source.fields.indexOf(f);
        return c < 0 ? "[N/A]" : captured[c]!;
      });
      setCell(table, row, "timestamp", timestamp(nowMs));
      setCell(table, row, "gpu_uuid", gpu.uuid);
      setCell(table, row, "gpu_bus_id", gpu.busId);
      const pid = table.fields.indexOf("pid");
      if (pid >= 0) row[pid] = String(Number(row[pid]) + 100_000 * gpu.index);
      rows.push(row);
    }
  }
  return { table, rows };
}

/** `nvidia-smi -L` for the box, MIG devices included, with the box's own UUIDs. */
export function listText(box: Box): string {
  const lines: string[] = [];
  for (const gpu of box.gpus) {
    let mig = 0;
    for (const line of gpu.capture.list.split("\n")) {
      if (line.startsWith("GPU ")) {
        lines.push(line.replace(/^GPU \d+:/, `GPU ${gpu.index}:`).replace(/\(UUID: [^)]+\)/, `(UUID: ${gpu.uuid})`));
      } else if (line.trim().startsWith("MIG ")) {
        lines.push(line.replace(/\(UUID: [^)]+\)/, `(UUID: ${standInUuid("MIG", box.config.seed, gpu.index, mig++)})`));
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
