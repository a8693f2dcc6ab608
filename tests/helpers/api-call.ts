/** REST calls through a Hono app in this process (`app.request`, no socket), as the admin. */
import type { Hono } from "hono";

export interface ApiAnswer {
  status: number;
  /** The body as JSON, or null when it is not JSON. */
  json: any;
  text: string;
}

export function apiCaller(api: () => Pick<Hono, "request">, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const res = await api().request(path, {
      method, headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json: any = null;
    try { json = JSON.parse(text); } catch { /* text body */ }
    return { status: res.status, json, text };
  };
}
