/**
 * Gateway test kit: a real server process with a config file, and scripted upstreams (small node
 * HTTP servers) that answer what a test tells them — canned JSON, SSE split into chosen chunks,
 * errors, hangs, a death mid-stream — and count what they were sent.
 */
import fs from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { startServer, type TestServer } from "./processes";

export const GATEWAY_KEY = "sk-test-gateway-key-1";

export interface GatewayServer extends TestServer {
  configFile: string;
  /** fetch with the gateway key. */
  gw(pathname: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
}

export async function startGateway(configYaml: string, opts: { env?: Record<string, string>; dataDir?: string } = {}): Promise<GatewayServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchyard-gw-"));
  const configFile = path.join(dir, "switchyard.yaml");
  fs.writeFileSync(configFile, configYaml);
  const server = await startServer({ dataDir: opts.dataDir, env: { SWITCHYARD_CONFIG: configFile, ...opts.env } });
  return {
    ...server,
    configFile,
    gw: (pathname, init = {}) => {
      const { key = GATEWAY_KEY, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key) headers.set("authorization", `Bearer ${key}`);
      if (rest.body && !headers.has("content-type")) headers.set("content-type", "application/json");
      return fetch(`${server.url}${pathname}`, { ...rest, headers });
    },
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Script = (req: SeenRequest, res: ServerResponse) => void | Promise<void>;

export interface Scripted {
  url: string;
  port: number;
  seen: SeenRequest[];
  /** Requests other than health checks. */
  calls(): SeenRequest[];
  setScript(script: Script): void;
  /** Kills every open connection (a crash) and stops listening. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

export async function scriptedUpstream(script: Script, port = 0): Promise<Scripted> {
  let current = script;
  const seen: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: SeenRequest = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(r);
      void Promise.resolve(current(r, res)).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  const actual = (server.address() as net.AddressInfo).port;
  const close = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    seen,
    calls: () => seen.filter((r) => r.url !== "/health" && !r.url.startsWith("/v1/models")),
    setScript: (s) => void (current = s),
    kill: close,
    close,
  };
}

/** Health checks succeed; everything else goes to `script`. */
export function withHealth(script: Script): Script {
  return (req, res) => {
    if (req.url === "/health") return void res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    return script(req, res);
  };
}

export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  void res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));

/** Writes SSE pieces with a pause between them, so they arrive as separate chunks. */
export async function sse(res: ServerResponse, pieces: string[], gapMs = 5): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const p of pieces) {
    res.write(p);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  res.end();
}

export function openAICompletion(model: string, text: string) {
  return {
    id: "chatcmpl-1", object: "chat.completion", created: 1, model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
  };
}

export function anthropicMessage(model: string, text: string) {
  return {
    id: "msg_1", type: "message", role: "assistant", model, content: [{ type: "text", text }],
    stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 11, output_tokens: 3 },
  };
}

/** A complete OpenAI-style stream of `text` (one chunk per word), with a usage chunk. */
export function openAIStream(model: string, words: string[]): string[] {
  const chunk = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return [
    chunk({ role: "assistant", content: "" }),
    ...words.map((w) => chunk({ content: w })),
    chunk({}, "stop"),
    `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model, choices: [], usage: { prompt_tokens: 5, completion_tokens: words.length, total_tokens: 5 + words.length } })}\n\n`,
    "data: [DONE]\n\n",
  ];
}
