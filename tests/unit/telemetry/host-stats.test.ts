/** Host stats: the /proc parsers as tables, and the sampler and node facts on this machine. */
import os from "node:os";
import { describe, expect, it } from "vitest";
import { createHostSampler, nodeFacts, parseProcNetDev, parseProcStat, ratePerSec } from "../../../agents/telemetry/host-stats";
import { nodeFactsSchema } from "../../../protocol/agent-wire";
import { hostStatsSchema } from "../../../protocol/telemetry";
import { waitFor } from "../../helpers/wait";

describe("parseProcStat", () => {
  it("counts iowait as idle and steal as busy", () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    expect(parseProcStat("cpu  100 10 50 800 20 5 5 10 0 0\ncpu0 50 5 25 400 10 2 3 5 0 0\n")).toEqual({ busy: 180, total: 1000 });
  });

  it("rejects anything that is not the aggregate cpu line", () => {
    expect(parseProcStat("cpu0 1 2 3 4\n")).toBeNull();
    expect(parseProcStat("")).toBeNull();
    expect(parseProcStat("cpu  a b c d")).toBeNull();
  });
});

describe("parseProcNetDev", () => {
  const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 9000000     100    0    0    0     0          0         0  9000000     100    0    0    0     0       0          0
  eth0: 1000    10    0    0    0     0          0         0     2000      20    0    0    0     0       0          0
 wlan0: 300     3    0    0    0     0          0         0      400       4    0    0    0     0       0          0
docker0: 5000   50    0    0    0     0          0         0     5000      50    0    0    0     0       0          0
vethab12: 5000  50    0    0    0     0          0         0     5000      50    0    0    0     0       0          0
br-1a2b: 5000   50    0    0    0     0          0         0     5000      50    0    0    0     0       0          0
`;

  it("sums physical interfaces only: loopback and container plumbing would count bytes twice", () => {
    expect(parseProcNetDev(text)).toEqual({ rx: 1300, tx: 2400 });
  });

  it("turns counters into rates, and a counter reset into null", () => {
    expect(ratePerSec(1000, 3000, 2000)).toBe(1000);
    expect(ratePerSec(3000, 1000, 1000)).toBeNull();
    expect(ratePerSec(0, 10, 0)).toBeNull();
  });
});

describe("host sampler on this machine", () => {
  it("reports memory, disk and load at once, and CPU % from the second sample on", async () => {
    const sampler = createHostSampler();
    const first = await sampler.sample();
    expect(hostStatsSchema.parse(first)).toEqual(first);
    expect(first.hostname).toBe(os.hostname());
    expect(first.cpuPct).toBeNull();
    expect(first.memTotalBytes).toBeGreaterThan(0);
    expect(first.memUsedBytes).toBeGreaterThan(0);
    expect(first.memUsedBytes!).toBeLessThanOrEqual(first.memTotalBytes!);
    expect(first.diskTotalBytes).toBeGreaterThan(0);
    expect(first.diskUsedBytes!).toBeLessThanOrEqual(first.diskTotalBytes!);

    // Rates need time between two readings: sample until the counters have moved.
    const second = await waitFor("a sample with CPU and network rates", async () => {
      const s = await sampler.sample();
      return s.cpuPct !== null && (process.platform !== "linux" || s.netRxBytesPerSec !== null) ? s : null;
    }, 10_000, 50);
    expect(second.cpuPct).toBeGreaterThanOrEqual(0);
    expect(second.cpuPct).toBeLessThanOrEqual(100);
    if (process.platform === "linux") {
      expect(second.netRxBytesPerSec).toBeGreaterThanOrEqual(0);
      expect(second.load1).toBeGreaterThanOrEqual(0);
    }
  });

  it("describes the node", async () => {
    const facts = await nodeFacts();
    expect(nodeFactsSchema.parse(facts)).toEqual(facts);
    expect(facts).toMatchObject({ hostname: os.hostname(), arch: os.arch(), memTotalBytes: os.totalmem() });
    expect(facts.cpuCores).toBeGreaterThan(0);
  });
});
