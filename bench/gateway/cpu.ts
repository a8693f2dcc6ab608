/**
 * CPU accounting for `bench:gateway` (Linux /proc): CPU time of given processes, and how much of the
 * machine the rest of it (other engineers' work on a shared box) used meanwhile, so a noisy run
 * says so.
 */
import fs from "node:fs";
import os from "node:os";
import { readProc } from "../proc-stats";

const TICKS_PER_S = 100; // USER_HZ

/** Busy CPU seconds of the whole machine since boot (all cores; idle and iowait excluded). */
function machineBusyS(): number {
  const [, ...f] = fs.readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/);
  const t = f.map(Number);
  const total = t.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - t[3]! - t[4]!) / TICKS_PER_S;
}

/** This process and its finished children (wrk, once waited for). */
function selfS(): number {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  return (f[11]! + f[12]! + f[13]! + f[14]!) / TICKS_PER_S;
}

const cpuOf = (pid: number) => {
  try {
    return readProc(pid).cpuS;
  } catch {
    return 0; // gone
  }
};

export interface CpuWindow {
  /** CPU seconds a process used since the window opened. */
  used(pid: number): number;
  /** Share of the whole machine (all cores) used by processes other than `ours` and this one, in %. */
  othersPct(): number;
}

export function openCpuWindow(ours: number[]): CpuWindow {
  const at = performance.now();
  const start = new Map(ours.map((p) => [p, cpuOf(p)]));
  const machine0 = machineBusyS();
  const self0 = selfS();
  return {
    used: (pid) => cpuOf(pid) - (start.get(pid) ?? 0),
    othersPct: () => {
      const elapsed = (performance.now() - at) / 1000;
      let mine = selfS() - self0;
      for (const [pid, s] of start) mine += cpuOf(pid) - s;
      return Math.max(0, ((machineBusyS() - machine0 - mine) / (elapsed * os.cpus().length)) * 100);
    },
  };
}
