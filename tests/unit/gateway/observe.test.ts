import { describe, expect, it } from "vitest";
import { renderDcgm } from "../../../server/gateway/observe/dcgm";
import { Counter, Histogram, Registry } from "../../../server/gateway/observe/prometheus";
import { UsageSniffer, usageFromBody } from "../../../server/gateway/observe/usage";
import type { NodeView } from "../../../protocol/live";
import type { GatewayRepo } from "../../../server/db/repos/gateway-repo";
import { newRecord } from "../../../server/gateway/handlers/proxy";
import { RequestLog } from "../../../server/gateway/observe/request-log";
import { RuntimeMetrics } from "../../../server/gateway/observe/runtime-metrics";

describe("usage from backend answers", () => {
  it("reads the top-level usage of either protocol without trusting earlier mentions", () => {
    const openai = Buffer.from(JSON.stringify({ choices: [{ message: { content: 'the "usage": {"prompt_tokens": 999}' } }], usage: { prompt_tokens: 12, completion_tokens: 3 } }));
    expect(usageFromBody("openai", openai)).toEqual({ input: 12, output: 3 });
    const anthropic = Buffer.from(JSON.stringify({ content: [], usage: { input_tokens: 5, cache_read_input_tokens: 100, output_tokens: 7 } }));
    expect(usageFromBody("anthropic", anthropic)).toEqual({ input: 105, output: 7 });
    expect(usageFromBody("openai", Buffer.from("not json"))).toEqual({ input: null, output: null });
  });

  it("sniffs usage out of streams split anywhere", () => {
    const s = new UsageSniffer("anthropic");
    const text = 'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":20,"output_tokens":1}}}\n\nevent: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":9}}\n\n';
    for (let i = 0; i < text.length; i += 7) s.push(Buffer.from(text.slice(i, i + 7)));
    expect(s.tokens).toEqual({ input: 20, output: 9 });
  });

  // Chunks without the word are skipped unparsed: an event cut anywhere, even inside "usage", counts.
  it("finds usage in an OpenAI stream at every split of every chunk", () => {
    const token = (t: string) => `data: {"choices":[{"delta":{"content":"${t}"}}]}\n\n`;
    const events = [token("a"), token("b"), 'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}\n\n', "data: [DONE]\n\n"];
    const bytes = Buffer.from(events.join(""));
    for (let a = 1; a < bytes.length; a++) {
      for (const b of [a + 1, a + 9, bytes.length]) {
        const s = new UsageSniffer("openai");
        for (const [from, to] of [[0, a], [a, b], [b, bytes.length]] as const) if (to > from) s.push(bytes.subarray(from, to));
        expect(s.tokens, `split at ${a}, ${b}`).toEqual({ input: 5, output: 2 });
      }
    }
  });
});

describe("the server process's own series", () => {
  const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);

  it("counts young-generation collections and their time, and reads memory, CPU and the Node version", async () => {
    const rt = new RuntimeMetrics();
    rt.start();
    try {
      // Short-lived garbage, as requests make it: the young generation is collected many times over.
      let batch: unknown[] = [];
      for (let i = 0; i < 400_000; i++) {
        batch.push({ i, s: `s${i}` });
        if (batch.length === 1000) batch = [];
      }
      await new Promise((r) => setTimeout(r, 20)); // GC entries are delivered after the fact
      const text = rt.render();
      expect(value(text, 'nodejs_gc_duration_seconds_count{kind="minor"}')).toBeGreaterThan(0);
      expect(value(text, 'nodejs_gc_duration_seconds_sum{kind="minor"}')).toBeGreaterThan(0);
      expect(value(text, "process_resident_memory_bytes")).toBeGreaterThan(10 * 1048576);
      expect(value(text, "process_cpu_seconds_total")).toBeCloseTo(value(text, "process_cpu_user_seconds_total") + value(text, "process_cpu_system_seconds_total"), 5);
      expect(value(text, "nodejs_heap_size_used_bytes")).toBeLessThanOrEqual(value(text, "nodejs_heap_size_total_bytes"));
      expect(text).toContain(`nodejs_version_info{version="${process.version}",`);
    } finally {
      rt.stop();
    }
  });

  it("reports the event loop's delay over the last whole window, in seconds", async () => {
    const rt = new RuntimeMetrics(400);
    rt.start();
    try {
      expect(rt.render()).not.toMatch(/^nodejs_eventloop_lag_max_seconds /m); // no window has ended yet
      await new Promise((r) => setTimeout(r, 40)); // the first samples
      const until = Date.now() + 80;
      while (Date.now() < until); // the loop held for 80 ms, as a long synchronous task would
      // Read as soon as the first window has ended (the next one ends 400 ms later).
      let text = rt.render();
      for (let i = 0; i < 200 && !/^nodejs_eventloop_lag_max_seconds /m.test(text); i++) {
        await new Promise((r) => setTimeout(r, 10));
        text = rt.render();
      }
      expect(value(text, "nodejs_eventloop_lag_max_seconds")).toBeGreaterThanOrEqual(0.05);
      expect(value(text, "nodejs_eventloop_lag_max_seconds")).toBeLessThan(5);
      expect(value(text, "nodejs_eventloop_lag_p50_seconds")).toBeLessThanOrEqual(value(text, "nodejs_eventloop_lag_p99_seconds"));
      // Reading again does not start a new window.
      expect(value(rt.render(), "nodejs_eventloop_lag_max_seconds")).toBe(value(text, "nodejs_eventloop_lag_max_seconds"));
    } finally {
      rt.stop();
    }
  });
});

describe("Prometheus text", () => {
  it("renders counters, gauges and histograms with escaped labels", () => {
    const reg = new Registry();
    const c = reg.add(new Counter("x_total", "X."));
    const h = reg.add(new Histogram("y_seconds", "Y.", [0.1, 1]));
    c.inc({ model: 'a"b' }, 2);
    h.observe({ m: "z" }, 0.5);
    const text = reg.render();
    expect(text).toContain('x_total{model="a\\"b"} 2');
    expect(text).toContain('y_seconds_bucket{m="z",le="0.1"} 0');
    expect(text).toContain('y_seconds_bucket{m="z",le="1"} 1');
    expect(text).toContain('y_seconds_bucket{m="z",le="+Inf"} 1');
    expect(text).toContain('y_seconds_count{m="z"} 1');
  });

  it("GPU metrics use the DCGM exporter's names and labels, and skip unknown values", () => {
    const node = {
      name: "box1", online: true,
      gpus: [{ index: 0, uuid: "GPU-abc", name: "NVIDIA H100 80GB HBM3", memTotalMiB: 81559, memUsedMiB: 16959, utilGpuPct: 98, tempC: 61, powerW: null, powerLimitW: 700 }],
    } as unknown as NodeView;
    const text = renderDcgm([node, { ...node, name: "gone", online: false }]);
    const labels = 'gpu="0",UUID="GPU-abc",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="box1"';
    expect(text).toContain(`DCGM_FI_DEV_GPU_UTIL{${labels}} 98`);
    expect(text).toContain(`DCGM_FI_DEV_FB_USED{${labels}} 16959`);
    expect(text).toContain(`DCGM_FI_DEV_FB_FREE{${labels}} 64600`);
    expect(text).toContain(`DCGM_FI_DEV_GPU_TEMP{${labels}} 61`);
    expect(text).not.toMatch(/DCGM_FI_DEV_POWER_USAGE\{/);
    expect(text).not.toContain("gone");
  });
});

describe("request log", () => {
  const rows: unknown[][] = [];
  const repo = { insertRequests: async (r: unknown[]) => void rows.push(r), pruneRequests: async () => 0 } as unknown as GatewayRepo;
  const record = (i: number) => ({ ...newRecord("chat", "openai", i), modelAsked: `m${i}`, target: "b/m", status: 200 });

  it("keeps the newest 200 for the routes page, newest first", () => {
    const log = new RequestLog(repo, 1000);
    for (let i = 0; i < 450; i++) log.add(record(i));
    const recent = log.recentRequests();
    expect(recent).toHaveLength(200);
    expect(recent[0]!.modelAsked).toBe("m449");
    expect(recent[199]!.modelAsked).toBe("m250");
  });

  // Written in slices (the event loop is let go between them), yet a flush still means "written".
  it("writes a large backlog in slices, and a flush resolves only once every earlier row is written", async () => {
    rows.length = 0;
    const log = new RequestLog(repo, 1000);
    for (let i = 0; i < 600; i++) log.add(record(i));
    const first = log.flush();
    log.add(record(600));
    await log.flush();
    expect(rows.map((r) => r.length)).toEqual([256, 256, 88, 1]);
    await first;
  });

  it("writes every field as the request finished, nulls and failures included", async () => {
    const written: Array<Record<string, unknown>> = [];
    const log = new RequestLog({ insertRequests: async (r: Array<Record<string, unknown>>) => void written.push(...r), pruneRequests: async () => 0 } as unknown as GatewayRepo, 1000);
    const full = {
      ...newRecord("messages", "anthropic", 1_796_000_000_123), keyName: "team", modelAsked: "claude-sonnet-4-5", target: "box1/qwen", attempts: 2, failovers: 1,
      status: 529, stream: true, ttftMs: 0, durationMs: 1234, inputTokens: 1_000_000, outputTokens: 0, loadWaitMs: 2500, error: "every backend failed: é ✓", body: '{"model":"x"}',
    };
    const bare = { ...newRecord("chat", "openai", 5), durationMs: 3, status: 401 };
    log.add(full);
    log.add(bare);
    await log.flush();
    const { protocol: _p, hops: _h, ...expectedFull } = full;
    const { protocol: _q, hops: _i, ...expectedBare } = bare;
    expect(written).toEqual([expectedFull, { ...expectedBare, loadWaitMs: null }]);
  });

  it("keeps what a failed write did not write, before what came since, and writes it on the next flush", async () => {
    const written: Array<{ modelAsked: string }> = [];
    let fail = true;
    const log = new RequestLog({
      insertRequests: async (r: Array<{ modelAsked: string }>) => {
        if (fail) throw new Error("database is restarting");
        written.push(...r);
      },
      pruneRequests: async () => 0,
    } as unknown as GatewayRepo, 1000);
    for (let i = 0; i < 300; i++) log.add(record(i));
    await log.flush(); // the first slice fails: nothing written, all 300 kept
    for (let i = 300; i < 310; i++) log.add(record(i));
    fail = false;
    await log.flush();
    expect(written.map((r) => r.modelAsked)).toEqual(Array.from({ length: 310 }, (_, i) => `m${i}`));

    // Past the buffer's bound (50,000 rows), rows that do not fit are dropped (and said so in the log).
    written.length = 0;
    fail = true;
    for (let i = 0; i < 49_995; i++) log.add(record(i));
    await log.flush();
    for (let i = 49_995; i < 50_005; i++) log.add(record(i));
    fail = false;
    await log.flush();
    expect(written).toHaveLength(50_000);
    expect(written[0]!.modelAsked).toBe("m0");
    expect(written[49_999]!.modelAsked).toBe("m49999");
  });
});
