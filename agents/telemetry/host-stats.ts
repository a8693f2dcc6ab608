/**
 * Host stats for the telemetry snapshot, cheap enough for every second. systeminformation is used
 * where it is cheap (memory: one read of /proc/meminfo) and for the one-off node facts; its CPU and
 * network calls spawn shells on every call on Linux (`cat /proc/stat`, one `cat` per interface), so
 * those counters are read from /proc directly and turned into rates here. Disk usage comes from
 * statfs (no `df` spawn) and is refreshed every 30 s, as it changes slowly.
 */
import { readFile, statfs } from "node:fs/promises";
import os from "node:os";
import si from "systeminformation";
import type { NodeFacts } from "../../protocol/agent-wire";
import type { HostStats } from "../../protocol/telemetry";

export interface CpuTimes { busy: number; total: number }
export interface NetBytes { rx: number; tx: number }

/** The aggregate `cpu` line of /proc/stat. iowait counts as idle, steal as busy (time not ours). */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split("\n", 1)[0] ?? "";
  if (!line.startsWith("cpu ")) return null;
  // user nice system idle iowait irq softirq steal (guest is already inside user).
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (v.length < 4 || v.some((n) => !Number.isFinite(n))) return null;
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Interfaces whose bytes would count the same traffic twice (container veths and bridges carry
 * what the physical NIC also carries) or not leave the box (loopback).
 */
const NOT_COUNTED = /^(lo|veth|docker|br-|virbr|vnet|cni|flannel|cali|kube-|vxlan|tap)/;

/** Received and sent bytes summed over counted interfaces, from /proc/net/dev. */
export function parseProcNetDev(text: string): NetBytes {
  let rx = 0;
  let tx = 0;
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (NOT_COUNTED.test(name)) continue;
    const cols = line.slice(colon + 1).trim().split(/\s+/);
    const r = Number(cols[0]);
    const t = Number(cols[8]);
    if (Number.isFinite(r) && Number.isFinite(t)) {
      rx += r;
      tx += t;
    }
  }
  return { rx, tx };
}

/** Per-second rate between two counter readings; null across a counter reset or a zero interval. */
export function ratePerSec(prev: number, next: number, elapsedMs: number): number | null {
  if (elapsedMs <= 0 || next < prev) return null;
  return Math.round(((next - prev) * 1000) / elapsedMs);
}

function cpuTimesFromOs(): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

const LINUX = process.platform === "linux";

async function readCpuTimes(): Promise<CpuTimes | null> {
  if (!LINUX) return cpuTimesFromOs();
  return readFile("/proc/stat", "utf8").then(parseProcStat, () => cpuTimesFromOs());
}

async function readNetBytes(): Promise<NetBytes | null> {
  // Elsewhere systeminformation would spawn several commands per call; rates stay null there.
  if (!LINUX) return null;
  return readFile("/proc/net/dev", "utf8").then(parseProcNetDev, () => null);
}

async function readDisk(path: string): Promise<{ used: number; total: number } | null> {
  try {
    const s = await statfs(path);
    // As df computes it: used = all blocks minus free ones (including root-reserved free blocks).
    return { used: (s.blocks - s.bfree) * s.bsize, total: s.blocks * s.bsize };
  } catch {
    return null;
  }
}

export interface HostSamplerOptions {
  diskPath?: string;
  diskRefreshMs?: number;
}

export interface HostSampler {
  /** Rates (CPU %, network) cover the time since the previous call; null on the first. */
  sample(): Promise<HostStats>;
}

export function createHostSampler(options: HostSamplerOptions = {}): HostSampler {
  const diskPath = options.diskPath ?? "/";
  const diskRefreshMs = options.diskRefreshMs ?? 30_000;
  const hostname = os.hostname();
  let prevCpu: CpuTimes | null = null;
  let prevNet: { bytes: NetBytes; at: number } | null = null;
  let disk: { used: number; total: number } | null = null;
  let diskAt = -Infinity;

  return {
    async sample() {
      const refreshDisk = Date.now() - diskAt >= diskRefreshMs;
      const [cpu, net, mem, freshDisk] = await Promise.all([
        readCpuTimes(),
        readNetBytes(),
        si.mem().catch(() => null),
        refreshDisk ? readDisk(diskPath) : Promise.resolve(disk),
      ]);
      const at = Date.now();
      if (refreshDisk) {
        disk = freshDisk;
        diskAt = at;
      }

      let cpuPct: number | null = null;
      if (cpu !== null && prevCpu !== null && cpu.total > prevCpu.total) {
        cpuPct = Math.round((1000 * (cpu.busy - prevCpu.busy)) / (cpu.total - prevCpu.total)) / 10;
      }
      prevCpu = cpu;

      let rx: number | null = null;
      let tx: number | null = null;
      if (net !== null && prevNet !== null) {
        rx = ratePerSec(prevNet.bytes.rx, net.rx, at - prevNet.at);
        tx = ratePerSec(prevNet.bytes.tx, net.tx, at - prevNet.at);
      }
      prevNet = net === null ? null : { bytes: net, at };

      return {
        hostname,
        cpuPct,
        // "active" is total minus available: what applications hold, without reclaimable cache.
        memUsedBytes: mem?.active ?? null,
        memTotalBytes: mem?.total ?? null,
        diskUsedBytes: disk?.used ?? null,
        diskTotalBytes: disk?.total ?? null,
        netRxBytesPerSec: rx,
        netTxBytesPerSec: tx,
        load1: process.platform === "win32" ? null : os.loadavg()[0] ?? null,
      };
    },
  };
}

/** What the agent tells the server once per connection: slow calls are fine here. */
export async function nodeFacts(): Promise<NodeFacts> {
  const [osInfo, cpu] = await Promise.all([si.osInfo().catch(() => null), si.cpu().catch(() => null)]);
  const distro = osInfo?.distro ? `${osInfo.distro}${osInfo.release && osInfo.release !== "unknown" ? ` ${osInfo.release}` : ""}` : null;
  const brand = cpu ? `${cpu.manufacturer} ${cpu.brand}`.trim() : "";
  return {
    hostname: os.hostname(),
    os: distro ?? `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpuModel: brand !== "" ? brand : (os.cpus()[0]?.model ?? null),
    cpuCores: cpu?.cores || os.cpus().length,
    memTotalBytes: os.totalmem(),
  };
}
