/**
 * HTTP/1.1 by hand over a TCP socket, for the attacks a well-behaved client cannot make: headers
 * that promise a body never sent, bodies that trickle, bodies far past any limit. The answer is
 * parsed as it arrives; writes the server refused (it closed the connection) are not errors.
 */
import { readFile } from "node:fs/promises";
import net from "node:net";

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  socket: net.Socket;
  /** Writes, ignoring a connection the server already closed. Resolves when flushed (or refused). */
  write(data: string | Buffer): Promise<void>;
  /** The first response on the connection. */
  answer: Promise<RawAnswer>;
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>;
}

export function openRaw(port: number, head: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = Buffer.alloc(0);
    let settle: ((a: RawAnswer) => void) | null = null;
    const answer = new Promise<RawAnswer>((r) => (settle = r));
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    socket.on("error", () => {});
    let ended = false;
    const tryParse = () => {
      const end = data.indexOf("\r\n\r\n");
      if (end < 0 || !settle) return;
      const lines = data.subarray(0, end).toString("latin1").split("\r\n");
      const status = Number(lines[0]!.split(" ")[1]);
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(":");
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const rest = data.subarray(end + 4);
      let body: string;
      if (headers["content-length"] !== undefined) {
        const length = Number(headers["content-length"]);
        if (rest.length < length) return;
        body = rest.subarray(0, length).toString("utf8");
      } else if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
        const text = rest.toString("latin1");
        if (!text.startsWith("0\r\n\r\n") && !text.includes("\r\n0\r\n\r\n")) return;
        const parts: string[] = [];
        for (let at = 0; ; ) {
          const nl = text.indexOf("\r\n", at);
          const size = parseInt(text.slice(at, nl), 16);
          if (!size) break;
          parts.push(text.slice(nl + 2, nl + 2 + size));
          at = nl + 2 + size + 2;
        }
        body = Buffer.from(parts.join(""), "latin1").toString("utf8");
      } else {
        if (!ended) return;
        body = rest.toString("utf8");
      }
      settle({ status, headers, body });
      settle = null;
    };
    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      tryParse();
    });
    socket.on("end", () => {
      ended = true;
      tryParse();
    });
    void closed.then(() => {
      ended = true;
      tryParse();
      settle?.({ status: 0, headers: {}, body: "" });
    });
    socket.once("connect", () => {
      const write = (d: string | Buffer) =>
        new Promise<void>((r) => {
          if (socket.destroyed || !socket.writable) return r();
          socket.write(d, () => r());
        });
      void write(head).then(() => resolve({ socket, write, answer, closed }));
    });
    socket.once("error", reject);
  });
}

/** A request head with the given method, path and headers (Host and Connection added). */
export function requestHead(method: string, path: string, headers: Record<string, string | number> = {}): string {
  const lines = [`${method} ${path} HTTP/1.1`, "Host: 127.0.0.1", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** Resident memory of a process, in bytes (Linux). */
export async function memoryOf(pid: number): Promise<{ rss: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return { rss: Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) * 1024 };
}
