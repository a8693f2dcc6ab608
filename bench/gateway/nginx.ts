/**
 * nginx in the two roles of `bench:gateway`, each one process with one worker (the gateway is one
 * Node process): the canned upstream (nginx answers from memory: no upstream of ours is slower than
 * the proxies it measures), and the reference proxy in front of any upstream, with keep-alive.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../../tests/helpers/processes";
import { COMPLETION, STREAM } from "./canned";

export interface Nginx {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** A quoted nginx string (`return` bodies interpolate variables: the canned ones have no `$`). */
function quote(s: string): string {
  if (s.includes("$")) throw new Error("a canned body for nginx must not contain '$'");
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/**
 * The canned upstream: the completion on every path, the stream under /sse/ (a backend whose base
 * URL ends in /sse is the streaming one: nginx cannot look into the body for `"stream":true`).
 */
export function cannedServer(port: number): string {
  return `
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    location = /health { default_type application/json; return 200 '{"status":"ok"}'; }
    location /sse/ { default_type text/event-stream; return 200 ${quote(STREAM)}; }
    location / { default_type application/json; return 200 ${quote(COMPLETION)}; }
  }`;
}

/** The reference proxy: keep-alive to the upstream, no buffering (streams pass as they come). */
export const proxyServer = (upstreamPort: number) => (port: number): string => `
  upstream up { server 127.0.0.1:${upstreamPort}; keepalive 1024; keepalive_requests 10000000; keepalive_timeout 300s; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    location / {
      proxy_pass http://up;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }`;

/** Starts nginx with one `server` block (given the free port it is to listen on). */
export async function startNginx(server: (port: number) => string): Promise<Nginx> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sy-nginx-"));
  const conf = path.join(dir, "nginx.conf");
  fs.writeFileSync(conf, `
worker_processes 1;
daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${server(port)}
}
`);
  const bin = fs.existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
  const child: ChildProcess = spawn(bin, ["-c", conf, "-p", dir], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (b: Buffer) => (stderr += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    try {
      await fetch(`${url}/health`);
      break;
    } catch (err) {
      if (i >= 100) throw new Error(`nginx did not answer on ${url}: ${(err as Error).message}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
