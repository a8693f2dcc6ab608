/**
 * Streams at scale: `count` streamed completions at once through one URL, their starts spread over
 * one chunk interval (as requests arrive at a busy server). For every event: how long after the
 * upstream stamped it (`"t":…`, wall-clock ms) it reached this client. A stream that fails, or ends
 * without all its events and `[DONE]`, is counted.
 */
import http from "node:http";

export interface StreamsResult {
  /** Per event: arrival − upstream stamp, in ms. */
  delaysMs: number[];
  failed: number;
  truncated: number;
  firstError: string | null;
}

const STAMP = /"t":([\d.]+)\}/g;
const now = () => performance.timeOrigin + performance.now();

export async function runStreams(url: string, body: string, headers: Record<string, string>, opts: { count: number; chunks: number; spreadMs: number }): Promise<StreamsResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const target = new URL(url);
  const payload = Buffer.from(body);
  const out: StreamsResult = { delaysMs: [], failed: 0, truncated: 0, firstError: null };
  const fail = (why: string) => {
    out.failed++;
    out.firstError ??= why;
  };
  const one = () => new Promise<void>((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent,
      headers: { "content-type": "application/json", "content-length": payload.length, ...headers } });
    req.once("error", (err) => {
      fail(err.message);
      resolve();
    });
    req.once("response", (res) => {
      if (res.statusCode !== 200) {
        fail(`HTTP ${res.statusCode}`);
        res.resume();
        return void res.once("end", resolve);
      }
      let events = 0;
      let pending = ""; // an event split across reads is counted when its last byte arrives
      let done = false;
      res.setEncoding("latin1");
      res.on("data", (s: string) => {
        const at = now();
        pending += s;
        const cut = pending.lastIndexOf("\n\n");
        if (cut === -1) return;
        const whole = pending.slice(0, cut + 2);
        pending = pending.slice(cut + 2);
        for (const m of whole.matchAll(STAMP)) {
          out.delaysMs.push(at - Number(m[1]));
          events++;
        }
        if (whole.endsWith("data: [DONE]\n\n")) done = true;
      });
      res.once("end", () => {
        if (events !== opts.chunks || !done || pending !== "") out.truncated++;
        resolve();
      });
      res.once("error", (err) => {
        fail(err.message);
        resolve();
      });
    });
    req.end(payload);
  });
  const all: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < opts.count; i++) {
    const at = t0 + (i * opts.spreadMs) / opts.count;
    const wait = at - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    all.push(one());
  }
  await Promise.all(all);
  agent.destroy();
  return out;
}
