/**
 * The CLI's way to the server: `SWITCHYARD_URL` (default http://127.0.0.1:3000) with the admin
 * token from `SWITCHYARD_TOKEN`. Failures become CliError with a message a person can act on.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export interface ApiClient {
  baseUrl: string;
  get<T>(path: string): Promise<T>;
  send<T>(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T>;
}

export function apiClient(env: NodeJS.ProcessEnv = process.env): ApiClient {
  const baseUrl = (env.SWITCHYARD_URL || "http://127.0.0.1:3000").replace(/\/+$/, "");
  const token = env.SWITCHYARD_TOKEN;

  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    if (!token) throw new CliError("SWITCHYARD_TOKEN is not set: export SWITCHYARD_TOKEN=<the admin token printed at the server's first start>", 2);
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new CliError(`cannot reach the Switchyard server at ${baseUrl} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}): is it running? Set SWITCHYARD_URL if it is elsewhere.`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch { /* keep text for the message */ }
    if (!res.ok) {
      const message = (json as { error?: { message?: string } } | null)?.error?.message ?? text.slice(0, 300);
      if (res.status === 401) throw new CliError(`the server refused the token (401): ${message}. Check SWITCHYARD_TOKEN.`);
      throw new CliError(`${message} (HTTP ${res.status})`);
    }
    return json as T;
  };

  return {
    baseUrl,
    get: (path) => request("GET", path),
    send: (method, path, body) => request(method, path, body),
  };
}
