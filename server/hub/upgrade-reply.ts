import type { Duplex } from "node:stream";

const REASONS: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 426: "Upgrade Required" };

/**
 * Refuses a WebSocket upgrade with a plain HTTP status and a JSON error body, then closes.
 * `extra` adds fields to the error object (the control plane's id for agents).
 */
export function refuseUpgrade(socket: Duplex, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code, message, ...extra } });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
