/**
 * Model facts from the Hugging Face Hub, when the server can reach it: `config.json` and the
 * weights' size (`model.safetensors.index.json`'s total_size, else the single
 * `model.safetensors`' length), fetched through `<endpoint>/<repo>/resolve/main/<file>` with a
 * short timeout and cached on disk for good (configs of a published revision do not change).
 * After a failed attempt the Hub is not asked again for a while, so an offline server answers at
 * once. The endpoint is configurable (SWITCHYARD_HF_ENDPOINT: a mirror, or a test's stand-in).
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../../../lib/logger";
import { hfConfigFacts } from "../../../fit/hf-config";
import { withMissing, type ModelFacts } from "../../../fit/model-facts";

export const HUB = {
  defaultEndpoint: "https://huggingface.co",
  timeoutMs: 4000,
  /** After the Hub was unreachable, answer "unreachable" without asking for this long. */
  retryAfterMs: 60_000,
} as const;

const REPO = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface HubSourceOptions {
  endpoint?: string;
  cacheDir: string;
  /** The server's Hugging Face token (gated models), read at each fetch. */
  token?: () => Promise<string | null>;
  timeoutMs?: number;
  retryAfterMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  log?: Logger;
}

export type HubAnswer =
  | { ok: true; facts: ModelFacts; cached: boolean }
  | { ok: false; kind: "unreachable" | "not_found" | "gated" | "invalid"; reason: string };

export interface HubSource {
  facts(repo: string): Promise<HubAnswer>;
}

interface Cached {
  config: unknown;
  totalSize: number | null;
  fetchedAt: number;
}

class HubFailure extends Error {
  constructor(readonly kind: "unreachable" | "not_found" | "gated" | "invalid", message: string) {
    super(message);
  }
}

export function createHubSource(o: HubSourceOptions): HubSource {
  const endpoint = (o.endpoint ?? HUB.defaultEndpoint).replace(/\/+$/, "");
  const doFetch = o.fetch ?? fetch;
  const now = o.now ?? Date.now;
  const timeoutMs = o.timeoutMs ?? HUB.timeoutMs;
  let downUntil = 0;
  let downReason = "";

  const cacheFile = (repo: string) => path.join(o.cacheDir, `${repo.replace("/", "--")}.json`);

  const get = async (repo: string, file: string, method: "GET" | "HEAD" = "GET"): Promise<Response | null> => {
    const token = (await o.token?.()) ?? null;
    let res: Response;
    try {
      res = await doFetch(`${endpoint}/${repo}/resolve/main/${file}`, {
        method,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      throw new HubFailure("unreachable", `the Hugging Face Hub at ${endpoint} is unreachable (${why})`);
    }
    if (res.status === 404) return null;
    if (res.status === 401 || res.status === 403) {
      throw new HubFailure("gated", `${repo} is gated or private on the Hugging Face Hub (HTTP ${res.status}): accept its license and store a token (PUT /api/secrets/hf-token)`);
    }
    if (!res.ok) throw new HubFailure("unreachable", `the Hugging Face Hub answered HTTP ${res.status} for ${repo}/${file}`);
    return res;
  };

  const fetchInputs = async (repo: string): Promise<Cached> => {
    const configRes = await get(repo, "config.json");
    if (!configRes) throw new HubFailure("not_found", `${repo} has no config.json on the Hugging Face Hub (not a repo, or a GGUF-only one)`);
    let config: unknown;
    try {
      config = await configRes.json();
    } catch {
      throw new HubFailure("invalid", `${repo}/config.json on the Hub is not JSON`);
    }
    let totalSize: number | null = null;
    const index = await get(repo, "model.safetensors.index.json");
    if (index) {
      const body = (await index.json().catch(() => null)) as { metadata?: { total_size?: unknown } } | null;
      const t = body?.metadata?.total_size;
      totalSize = typeof t === "number" && t > 0 ? t : null;
    } else {
      // One-file checkpoints: the file's length (its small JSON header included) is the weights' size.
      const head = await get(repo, "model.safetensors", "HEAD");
      const len = Number(head?.headers.get("x-linked-size") ?? head?.headers.get("content-length"));
      totalSize = Number.isFinite(len) && len > 0 ? len : null;
    }
    return { config, totalSize, fetchedAt: now() };
  };

  const readCache = async (repo: string): Promise<Cached | null> => {
    try {
      return JSON.parse(await readFile(cacheFile(repo), "utf8")) as Cached;
    } catch {
      return null;
    }
  };

  const writeCache = async (repo: string, c: Cached) => {
    await mkdir(o.cacheDir, { recursive: true });
    const tmp = `${cacheFile(repo)}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(c));
    await rename(tmp, cacheFile(repo));
  };

  const toFacts = (repo: string, c: Cached): ModelFacts => {
    const f = hfConfigFacts(c.config, repo);
    return withMissing({ ...f, source: "hub", weightsBytes: c.totalSize ?? f.weightsBytes, reference: `${endpoint}/${repo}/blob/main/config.json` });
  };

  return {
    async facts(repo) {
      if (!REPO.test(repo)) return { ok: false, kind: "invalid", reason: `'${repo}' is not a Hugging Face repo id (org/name)` };
      const cached = await readCache(repo);
      if (cached) return { ok: true, facts: toFacts(repo, cached), cached: true };
      if (now() < downUntil) return { ok: false, kind: "unreachable", reason: downReason };
      try {
        const inputs = await fetchInputs(repo);
        const facts = toFacts(repo, inputs);
        await writeCache(repo, inputs).catch((err) => o.log?.warn({ err: (err as Error).message, repo }, "could not cache Hub facts"));
        return { ok: true, facts, cached: false };
      } catch (err) {
        if (!(err instanceof HubFailure)) throw err;
        if (err.kind === "unreachable") {
          downUntil = now() + (o.retryAfterMs ?? HUB.retryAfterMs);
          downReason = err.message;
        }
        o.log?.info({ repo, kind: err.kind, reason: err.message }, "Hub facts unavailable");
        return { ok: false, kind: err.kind, reason: err.message };
      }
    },
  };
}
