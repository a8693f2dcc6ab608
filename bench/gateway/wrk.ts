/** Runs wrk (the load generator) with a POST body and reads its throughput and latency percentiles. */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface WrkResult {
  rps: number;
  p50us: number;
  p99us: number;
  errors: number;
  requests: number;
}

const unitUs: Record<string, number> = { us: 1, ms: 1000, s: 1_000_000 };

function toUs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  return m ? Number(m[1]) * unitUs[m[2]!]! : NaN;
}

/** A wrk Lua script that POSTs `bodies` in turn with `headers`. */
export function wrkScript(bodies: string[], headers: Record<string, string>): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sy-wrk-")), "post.lua");
  const lua = [
    `wrk.method = "POST"`,
    ...Object.entries({ "content-type": "application/json", ...headers }).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
    `local bodies = { ${bodies.map((b) => JSON.stringify(b)).join(", ")} }`,
    `local i = 0`,
    `request = function() i = i % #bodies + 1; return wrk.format(nil, nil, nil, bodies[i]) end`,
    // Count non-2xx answers as errors (wrk only counts socket errors by itself).
    `local bad = 0`,
    `response = function(status) if status >= 300 then bad = bad + 1 end end`,
    `done = function() io.write(string.format("NON2XX %d\\n", bad)) end`,
  ].join("\n");
  fs.writeFileSync(file, lua);
  return file;
}

export function runWrk(url: string, script: string, opts: { connections: number; seconds: number; threads?: number }): Promise<WrkResult> {
  const threads = Math.min(opts.threads ?? 2, opts.connections);
  const args = ["-t", String(threads), "-c", String(opts.connections), "-d", `${opts.seconds}s`, "--latency", "-s", script, url];
  return new Promise((resolve, reject) => {
    execFile("wrk", args, { maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) return reject(new Error(`wrk failed: ${err.message}\n${stdout}`));
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
      const p50us = toUs(/^\s+50%\s+(\S+)/m.exec(stdout)?.[1] ?? "");
      const p99us = toUs(/^\s+99%\s+(\S+)/m.exec(stdout)?.[1] ?? "");
      const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
      const errors = Number(/NON2XX (\d+)/.exec(stdout)?.[1] ?? 0) + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
      if (!Number.isFinite(rps)) return reject(new Error(`could not read wrk's output:\n${stdout}`));
      resolve({ rps, p50us, p99us, errors, requests });
    });
  });
}
