/**
 * One concurrency level: `requests` requests, `concurrency` of them in flight at any time, each
 * started as soon as one finishes. Pure orchestration: sending is the caller's (stream-request.ts
 * in the server, a fake in tests); cancelling stops new requests and aborts the ones in flight.
 */
import type { RequestSample } from "./stats";

export interface LevelInput {
  concurrency: number;
  requests: number;
  send(index: number, signal: AbortSignal): Promise<RequestSample>;
  /** After each finished request, with the count so far. */
  onProgress?(done: number, failed: number): void;
  signal: AbortSignal;
  now(): number;
}

export interface LevelResult {
  samples: RequestSample[];
  wallMs: number;
}

export async function runLevel(input: LevelInput): Promise<LevelResult> {
  const samples: RequestSample[] = [];
  let next = 0;
  let failed = 0;
  const started = input.now();
  const worker = async () => {
    while (next < input.requests && !input.signal.aborted) {
      const index = next++;
      const sample = await input.send(index, input.signal);
      if (input.signal.aborted) return;
      samples.push(sample);
      if (!sample.ok) failed++;
      input.onProgress?.(samples.length, failed);
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.concurrency, input.requests) }, worker));
  return { samples, wallMs: input.now() - started };
}
