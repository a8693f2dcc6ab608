import type { Duplex } from "node:stream";

/** Refuses a WebSocket upgrade with a plain HTTP status and a JSON error body, then closes. */
export function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason = { 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 426: "Upgrade Required" }[status] ?? "Error";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
