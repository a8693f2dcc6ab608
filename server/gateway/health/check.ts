/**
 * One active health check: GET the backend's health path on a fresh connection (a pooled socket
 * would hide a server that no longer accepts new ones), with a short timeout. Engines answer /health
 * (503 while loading); clouds are asked cheaply for their model list with the backend's key.
 */
import type { Backend } from "../backends";
import { collectWithin, sendOnFreshConnection } from "../upstream/send";
import { upstreamAuthHeaders } from "../upstream/headers";
import { splitBaseUrl } from "../upstream/pool";

export interface CheckResult {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
}

async function getOnce(b: Backend, path: string, timeoutMs: number): Promise<{ status: number | null; error: string | null }> {
  const { origin, base } = splitBaseUrl(b.url);
  const call = sendOnFreshConnection(origin, { method: "GET", path: base + path, headers: upstreamAuthHeaders(b, undefined, ["accept", "application/json"]) });
  try {
    await collectWithin(call, 64 * 1024, timeoutMs, `no answer within ${timeoutMs} ms`); // the body does not matter, only that it comes
    return { status: call.status, error: null };
  } catch (err) {
    return { status: null, error: (err as Error).message };
  }
}

export async function checkBackend(b: Backend): Promise<CheckResult> {
  const start = performance.now();
  if (!b.healthPath) return { ok: true, status: null, latencyMs: 0, error: null };
  let r = await getOnce(b, b.healthPath, b.healthTimeoutMs);
  if (r.status === 404 && b.healthFallbackPath) r = await getOnce(b, b.healthFallbackPath, b.healthTimeoutMs);
  const latencyMs = Math.round(performance.now() - start);
  const ok = r.status !== null && r.status >= 200 && r.status < 300;
  const error = ok ? null : r.error ?? `${b.healthPath} answered HTTP ${r.status}`;
  return { ok, status: r.status, latencyMs, error };
}
