/**
 * Shared by the benchmarks that compare against plain Docker (the floor): running a command,
 * waiting for an engine's /health, medians and seconds as they are printed.
 */
import { spawn } from "node:child_process";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b));
    child.stderr.on("data", (b: Buffer) => (out += b));
    child.once("exit", (code) => resolve({ code, out }));
  });
}

/** Resolves once `url` answers 200 (polled every `everyMs`). */
export async function healthy(url: string, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).status === 200) return;
    } catch { /* not up yet */ }
    await sleep(everyMs);
  }
  throw new Error(`${url} not healthy within ${timeoutMs} ms`);
}
