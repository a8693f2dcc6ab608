/**
 * A stand-in for the Hugging Face Hub (no internet here): a local HTTP server answering
 * `/<org>/<name>/resolve/main/<file>` like huggingface.co does (200 with the file, 404 for an
 * absent file, 401 for a gated repo without a token, HEAD with the length), serving configs the
 * test gives it. It records every request so tests can see what was fetched and with which token.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StandinRepo {
  files: Record<string, unknown>;
  /** Bytes HEAD reports per file (for weights files, whose bodies are never fetched). */
  sizes?: Record<string, number>;
  /** Requires `Authorization: Bearer <token>`. */
  gatedToken?: string;
}

export interface HubStandin {
  url: string;
  requests: { method: string; path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

export async function startHubStandin(repos: Record<string, StandinRepo>): Promise<HubStandin> {
  const requests: HubStandin["requests"] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? "GET", path: req.url ?? "", authorization: req.headers.authorization });
    const m = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(req.url ?? "");
    const repo = m ? repos[m[1]!] : undefined;
    if (!m || !repo) return void res.writeHead(404, { "x-error-code": "RepoNotFound" }).end("Repository not found");
    if (repo.gatedToken && req.headers.authorization !== `Bearer ${repo.gatedToken}`) {
      return void res.writeHead(401, { "x-error-code": "GatedRepo" }).end("Access to this model is restricted");
    }
    const file = m[2]!;
    if (req.method === "HEAD" && repo.sizes?.[file] !== undefined) return void res.writeHead(200, { "content-length": String(repo.sizes[file]) }).end();
    if (!(file in repo.files)) return void res.writeHead(404, { "x-error-code": "EntryNotFound" }).end("Entry not found");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(repo.files[file]));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
