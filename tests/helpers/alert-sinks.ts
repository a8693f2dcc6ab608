/**
 * Local receivers for alert channels: one HTTP sink that records every POST (webhook, ntfy,
 * Discord and Slack requests are told apart by path), and a real SMTP server (the smtp-server
 * package) that keeps every message it accepts.
 */
import http from "node:http";
import type net from "node:net";
import { SMTPServer } from "smtp-server";

export interface SinkRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown> | null;
}

export interface HttpSink {
  url: string;
  requests: SinkRequest[];
  /** Requests to a path (prefix). */
  at(prefix: string): SinkRequest[];
  /** The next `n` requests to `prefix` are answered with `status` (a channel that is down). */
  failNext(prefix: string, n: number, status?: number): void;
  close(): Promise<void>;
}

export async function httpSink(): Promise<HttpSink> {
  const requests: SinkRequest[] = [];
  const failures = new Map<string, { n: number; status: number }>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        json = null;
      }
      const path = req.url ?? "/";
      requests.push({ path, headers: req.headers, body, json });
      for (const [prefix, f] of failures) {
        if (path.startsWith(prefix) && f.n > 0) {
          f.n--;
          return void res.writeHead(f.status).end("down");
        }
      }
      res.writeHead(path.startsWith("/api/webhooks/") ? 204 : 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    at: (prefix) => requests.filter((r) => r.path.startsWith(prefix)),
    failNext: (prefix, n, status = 503) => void failures.set(prefix, { n, status }),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface Mail {
  from: string;
  to: string[];
  user: string | null;
  raw: string;
}

export interface SmtpSink {
  port: number;
  mails: Mail[];
  close(): Promise<void>;
}

/** A real SMTP server on localhost, plain SMTP (no STARTTLS), accepting `user`/`pass` logins only. */
export async function smtpSink(user: string, pass: string): Promise<SmtpSink> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === pass) cb(null, { user });
      else cb(new Error("Invalid username or password"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === "string" ? session.user : null,
          raw: Buffer.concat(chunks).toString(),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as net.AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
