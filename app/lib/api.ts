/**
 * The dashboard's only way to the REST API: same-origin fetch with the session cookie, JSON in and
 * out, the server's `{"error":{"code","message"}}` turned into an ApiError, and a 401 anywhere
 * sending the browser to the sign-in page.
 */
import type { EnrollmentInfo, HistoryRange, NodeHistory, NodeView } from "../../protocol/live";
import type { AgentRefusalView, JoinTokenIssued } from "../../protocol/enrollment";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Sends the browser to /login, remembering where it was. Safe to call more than once. */
export function goToLogin(): void {
  if (typeof window === "undefined") return;
  const { pathname, search } = window.location;
  if (pathname === "/login") return;
  const next = pathname === "/" && !search ? "" : `?next=${encodeURIComponent(pathname + search)}`;
  window.location.assign(`/login${next}`);
}

async function errorFrom(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message = `${res.status} ${res.statusText || "error"}`;
  try {
    const body: unknown = await res.json();
    const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (err && typeof err.code === "string") code = err.code;
    if (err && typeof err.message === "string") message = err.message;
  } catch {
    // Not JSON (a proxy's error page, Next's 404): keep the status line.
  }
  return new ApiError(res.status, code, message);
}

export async function apiFetch<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      credentials: "same-origin",
      headers: { accept: "application/json", ...(init.body ? { "content-type": "application/json" } : {}), ...init.headers },
    });
  } catch {
    throw new ApiError(0, "network", "Can't reach the Switchyard server.");
  }
  if (res.status === 401 && path !== "/api/session") {
    goToLogin();
    throw await errorFrom(res);
  }
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("content-type") ?? "";
  if (!type.includes("json")) throw new ApiError(res.status, "bad_response", `Expected JSON from ${path}.`);
  return (await res.json()) as T;
}

export const api = {
  signIn: (token: string) => apiFetch<void>("/api/session", { method: "POST", body: JSON.stringify({ token }) }),
  signOut: () => apiFetch<void>("/api/session", { method: "DELETE" }),
  signOutEverywhere: () => apiFetch<{ ended: number }>("/api/sessions", { method: "DELETE" }),
  nodes: () => apiFetch<NodeView[]>("/api/nodes"),
  node: (name: string) => apiFetch<NodeView>(`/api/nodes/${encodeURIComponent(name)}`),
  history: (name: string, range: HistoryRange) =>
    apiFetch<NodeHistory>(`/api/nodes/${encodeURIComponent(name)}/history?range=${range}`),
  enrollment: () => apiFetch<EnrollmentInfo>("/api/enrollment"),
  rotateEnrollmentToken: () => apiFetch<EnrollmentInfo>("/api/enrollment/rotate", { method: "POST" }),
  createJoinToken: () => apiFetch<JoinTokenIssued>("/api/enrollment/join-tokens", { method: "POST", body: "{}" }),
  agentRefusals: () => apiFetch<AgentRefusalView[]>("/api/enrollment/refusals"),
  removeNode: (name: string) => apiFetch<void>(`/api/nodes/${encodeURIComponent(name)}`, { method: "DELETE" }),
};

export const queryKeys = {
  nodes: ["nodes"] as const,
  node: (name: string) => ["node", name] as const,
  history: (name: string, range: HistoryRange) => ["history", name, range] as const,
  enrollment: ["enrollment"] as const,
  agentRefusals: ["enrollment", "refusals"] as const,
};

/** react-query retry policy: never retry what retrying cannot fix. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}
