/** CPU time and memory of a process from /proc (Linux), for benchmarks. */
import fs from "node:fs";

const TICKS_PER_S = 100; // USER_HZ on Linux

export interface ProcSample {
  cpuS: number;
  /** CPU of its children that have exited and been waited for (a server's ended workers). */
  reapedChildrenCpuS: number;
  rssBytes: number;
  at: number;
}

export function readProc(pid: number): ProcSample {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const reaped = Number(fields[13]) + Number(fields[14]);
  const rssPages = Number(fields[21]);
  return { cpuS: (utime + stime) / TICKS_PER_S, reapedChildrenCpuS: reaped / TICKS_PER_S, rssBytes: rssPages * 4096, at: performance.now() };
}

/** Share of one core used between two samples, in percent. */
export function cpuPct(a: ProcSample, b: ProcSample): number {
  return ((b.cpuS - a.cpuS) / ((b.at - a.at) / 1000)) * 100;
}

export function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
