/**
 * Bounded load through the gateway (official SDKs, concurrency 16) onto three real llama.cpp servers
 * and a backend that answers 529, while one llama.cpp server is killed and another hangs (SIGSTOP:
 * it still accepts connections, it answers nothing): not one client request may fail.
 *
 * Plain requests face all three failures mid-flight: a plain body is held until complete, so a
 * backend dying or stalling under one is still retried. Streams are committed at their first byte
 * and never retried after it (a stream is never duplicated), so the streaming phase runs against the
 * killed and the hung backend before they get a request, then sees the hung one come back.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTinyLlamaGguf } from "../fixtures/gguf/writer";
import { GATEWAY_KEY, json, scriptedUpstream, startGateway, withHealth, type GatewayServer, type Scripted } from "../helpers/gateway";
import { startLlamaServer, type LlamaServer } from "../helpers/llama";
import { rootfsSkipReason } from "../helpers/llama-rootfs";
import { waitFor } from "../helpers/processes";

const WORD = "Pong";
const skip = await rootfsSkipReason();

type Outcome = { ok: true } | { ok: false; error: string };

/** Runs `total` jobs with at most `concurrency` at once; `onDone(n)` after each completes. */
async function load(total: number, concurrency: number, job: (i: number) => Promise<void>, onDone: (done: number) => Promise<void> | void): Promise<Outcome[]> {
  const results: Outcome[] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      try {
        await job(i);
        results[i] = { ok: true };
      } catch (err) {
        results[i] = { ok: false, error: `${i}: ${(err as Error).message}` };
      }
      await onDone(++done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

describe.skipIf(skip !== null)(`gateway under load with failing backends${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  const llamas: LlamaServer[] = [];
  let overloaded: Scripted;
  let gw: GatewayServer;
  let openai: OpenAI;
  let anthropic: Anthropic;
  let stopped: number | null = null;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "switchyard-gw-load-"));
    const model = path.join(dir, "pong.gguf");
    await writeTinyLlamaGguf(model, { deterministicWord: WORD });
    for (let i = 0; i < 3; i++) llamas.push(await startLlamaServer({ model, via: "chroot", ctx: 4096, parallel: 4, extraArgs: ["-a", "tiny"] }));
    overloaded = await scriptedUpstream(withHealth((_r, res) => json(res, 529, { error: { message: "Overloaded", type: "overloaded_error" } })));
    gw = await startGateway(`apiKeys:
  - {name: load, key: ${GATEWAY_KEY}}
backends:
  - {name: l1, url: "${llamas[0]!.url}", api: openai, kind: llamacpp}
  - {name: l2, url: "${llamas[1]!.url}", api: openai, kind: llamacpp}
  - {name: l3, url: "${llamas[2]!.url}", api: openai, kind: llamacpp}
  - {name: busy, url: "${overloaded.url}", api: openai}
routes:
  - model: fleet
    targets: [[busy/tiny, l1/tiny, l2/tiny], l3/tiny]
`);
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0, timeout: 60_000 });
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: GATEWAY_KEY, maxRetries: 0, timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    if (stopped) process.kill(stopped, "SIGCONT");
    await gw?.stop();
    await Promise.all(llamas.map((l) => l.stop()));
    await overloaded?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const ask = async (i: number, stream: boolean) => {
    if (i % 2 === 0) {
      if (stream) {
        const s = await openai.chat.completions.create({ model: "fleet", messages: [{ role: "user", content: `hi ${i}` }], max_tokens: 8, stream: true });
        let text = "";
        for await (const c of s) text += c.choices[0]?.delta?.content ?? "";
        if (text.trim() !== WORD) throw new Error(`streamed ${JSON.stringify(text)}`);
      } else {
        const r = await openai.chat.completions.create({ model: "fleet", messages: [{ role: "user", content: `hi ${i}` }], max_tokens: 8 });
        if (r.choices[0]!.message.content!.trim() !== WORD) throw new Error(`answered ${JSON.stringify(r.choices[0]!.message.content)}`);
      }
    } else {
      const params = { model: "fleet", max_tokens: 8, messages: [{ role: "user" as const, content: `hi ${i}` }] };
      const msg = stream ? await anthropic.messages.stream(params).finalMessage() : await anthropic.messages.create(params);
      const text = msg.content.map((b) => (b.type === "text" ? b.text : "")).join("");
      if (text.trim() !== WORD) throw new Error(`answered ${JSON.stringify(text)}`);
    }
  };

  it("200 plain requests at concurrency 16: one backend killed, one hung, one answering 529 — none fail", async () => {
    const t0 = Date.now();
    const results = await load(200, 16, (i) => ask(i, false), async (done) => {
      if (done === 40) await llamas[0]!.stop(); // killed (SIGTERM, then SIGKILL)
      if (done === 80) {
        stopped = llamas[1]!.pid!;
        process.kill(stopped, "SIGSTOP"); // hangs: the kernel still accepts its connections
      }
    });
    const failed = results.filter((r): r is Extract<Outcome, { ok: false }> => !r.ok);
    expect(failed.map((f) => f.error)).toEqual([]);
    expect(results).toHaveLength(200);
    expect(Date.now() - t0).toBeLessThan(90_000);
    const rows = (await (await gw.api("/api/gateway/requests?limit=1000&model=fleet")).json()) as Array<{ status: number; target: string; failovers: number }>;
    expect(rows.filter((r) => r.status !== 200)).toEqual([]);
    expect(rows.some((r) => r.failovers > 0)).toBe(true);
    expect(overloaded.calls().length).toBeGreaterThan(0);
    const status = (await (await gw.api("/api/gateway/status")).json()) as { backends: Array<{ name: string; availability: string }> };
    const avail = Object.fromEntries(status.backends.map((b) => [b.name, b.availability]));
    expect(avail).toMatchObject({ l1: "down", l2: "down", l3: "up" });
  }, 120_000);

  it("100 streams at concurrency 16 with those backends still failing, and the hung one coming back — none fail", async () => {
    let resumed = false;
    const results = await load(100, 16, (i) => ask(i, true), (done) => {
      if (done === 50 && stopped) {
        process.kill(stopped, "SIGCONT");
        stopped = null;
        resumed = true;
      }
    });
    expect(results.filter((r) => !r.ok).map((r) => (r as { error: string }).error)).toEqual([]);
    expect(resumed).toBe(true);
    // and back: once its health check passes again, l2 is worth a trial (its breaker half-open, or
    // closed already if the streams above reached it), and the next requests put it back in service.
    const l2 = async () => {
      const s = (await (await gw.api("/api/gateway/status")).json()) as { backends: Array<{ name: string; availability: string }> };
      return s.backends.find((b) => b.name === "l2")?.availability;
    };
    await waitFor("l2 healthy again", async () => (await l2()) !== "down", 30_000, 200);
    for (let i = 0; i < 8; i++) await ask(i, true);
    const rows = (await (await gw.api("/api/gateway/requests?limit=8&model=fleet")).json()) as Array<{ target: string }>;
    expect(rows.some((r) => r.target === "l2/tiny")).toBe(true);
    expect(await l2()).toBe("up");
  }, 120_000);
});
