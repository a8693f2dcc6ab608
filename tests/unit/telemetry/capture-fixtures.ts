/**
 * The real nvidia-smi captures (agents/stand-in/captures) and the values read off them by hand,
 * for table tests. Expected values are copied from the captures' full `--query-gpu` CSV rows.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseCapture, type Capture, type Phase } from "../../../agents/stand-in/captures";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const CAPTURE_DIR = path.join(ROOT, "agents/stand-in/captures");
export const STANDIN = path.join(ROOT, "bin/nvidia-smi-standin");

export function loadCaptures(): Map<string, Capture> {
  const captures = new Map<string, Capture>();
  for (const file of readdirSync(CAPTURE_DIR).filter((f) => f.endsWith(".txt"))) {
    const capture = parseCapture(file, readFileSync(path.join(CAPTURE_DIR, file), "utf8"));
    captures.set(capture.key, capture);
  }
  return captures;
}

export interface Expected {
  key: string;
  phase: Phase;
  name: string;
  memTotalMiB: number;
  memUsedMiB: number;
  utilGpuPct: number | null;
  utilMemPct: number | null;
  tempC: number;
  powerW: number;
  powerInstantW: number;
  powerLimitW: number;
  fanPct: number | null;
  smClockMHz: number;
  memClockMHz: number;
  pstate: string;
  migMode: string | null;
}

const H100 = "NVIDIA H100 80GB HBM3";
const RTX4080 = "NVIDIA GeForce RTX 4080 SUPER";
const RTX2080 = "NVIDIA GeForce RTX 2080 SUPER";

// prettier-ignore
export const EXPECTED: Expected[] = [
  { key: "h100", phase: "idle", name: H100, memTotalMiB: 81559, memUsedMiB: 0, utilGpuPct: 0, utilMemPct: 0, tempC: 41, powerW: 69.85, powerInstantW: 69.62, powerLimitW: 700, fanPct: null, smClockMHz: 345, memClockMHz: 2619, pstate: "P0", migMode: "Disabled" },
  { key: "h100", phase: "load", name: H100, memTotalMiB: 81559, memUsedMiB: 19818, utilGpuPct: 100, utilMemPct: 11, tempC: 59, powerW: 631.95, powerInstantW: 625.68, powerLimitW: 700, fanPct: null, smClockMHz: 1980, memClockMHz: 2619, pstate: "P0", migMode: "Disabled" },
  // MIG mode: the parent GPU reports no utilization at all.
  { key: "h100-mig", phase: "idle", name: H100, memTotalMiB: 81559, memUsedMiB: 59, utilGpuPct: null, utilMemPct: null, tempC: 42, powerW: 71.15, powerInstantW: 70.72, powerLimitW: 700, fanPct: null, smClockMHz: 345, memClockMHz: 2619, pstate: "P0", migMode: "Enabled" },
  { key: "h100-mig", phase: "load", name: H100, memTotalMiB: 81559, memUsedMiB: 11125, utilGpuPct: null, utilMemPct: null, tempC: 53, powerW: 433.78, powerInstantW: 447.35, powerLimitW: 700, fanPct: null, smClockMHz: 1980, memClockMHz: 2619, pstate: "P0", migMode: "Enabled" },
  { key: "rtx-4080-super", phase: "idle", name: RTX4080, memTotalMiB: 16376, memUsedMiB: 596, utilGpuPct: 0, utilMemPct: 23, tempC: 43, powerW: 26.2, powerInstantW: 28.77, powerLimitW: 320, fanPct: 0, smClockMHz: 210, memClockMHz: 405, pstate: "P8", migMode: null },
  { key: "rtx-4080-super", phase: "load", name: RTX4080, memTotalMiB: 16376, memUsedMiB: 1474, utilGpuPct: 7, utilMemPct: 2, tempC: 46, powerW: 84.24, powerInstantW: 86.41, powerLimitW: 320, fanPct: 0, smClockMHz: 2805, memClockMHz: 11251, pstate: "P2", migMode: null },
  { key: "rtx-2080-super", phase: "idle", name: RTX2080, memTotalMiB: 8192, memUsedMiB: 214, utilGpuPct: 0, utilMemPct: 9, tempC: 40, powerW: 39.32, powerInstantW: 39.32, powerLimitW: 250, fanPct: 38, smClockMHz: 765, memClockMHz: 810, pstate: "P8", migMode: null },
  { key: "rtx-2080-super", phase: "load", name: RTX2080, memTotalMiB: 8192, memUsedMiB: 819, utilGpuPct: 8, utilMemPct: 3, tempC: 45, powerW: 111.5, powerInstantW: 111.5, powerLimitW: 250, fanPct: 38, smClockMHz: 2055, memClockMHz: 7500, pstate: "P2", migMode: null },
];

/** Compute apps per capture and phase: [pid, name, usedMiB]. */
// prettier-ignore
export const EXPECTED_APPS: Record<string, Record<Phase, [number, string, number][]>> = {
  "h100": { idle: [], load: [[11327, "/root/tools/memhog", 2566], [11328, "/root/tools/memhog", 1542], [11345, "./gpu_burn", 15690]] },
  "h100-mig": { idle: [], load: [[21180, "/root/tools/memhog", 2296], [21181, "/root/tools/memhog", 1272], [21198, "./gpu_burn", 7484]] },
  "rtx-4080-super": { idle: [[2165, "/usr/bin/kwin_wayland", 25]], load: [[2165, "/usr/bin/kwin_wayland", 25], [5022, "ffmpeg", 503], [5021, "ffmpeg", 360]] },
  "rtx-2080-super": { idle: [], load: [[5268, "ffmpeg", 370], [5267, "ffmpeg", 230]] },
};

export const EXPECTED_DRIVER: Record<string, { version: string; cuda: string }> = {
  "h100": { version: "590.48.01", cuda: "13.1" },
  "h100-mig": { version: "590.48.01", cuda: "13.1" },
  "rtx-4080-super": { version: "595.71.05", cuda: "13.2" },
  "rtx-2080-super": { version: "595.71.05", cuda: "13.2" },
};
