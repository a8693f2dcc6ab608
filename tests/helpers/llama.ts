/**
 * A real llama-server for one test, in the local image (Docker) or the root filesystem (chroot).
 * Facts it relies on (llama.cpp 0.7.0, build 11669): it listens on 127.0.0.1:9931 unless told
 * otherwise, so --host/--port are always passed; /health is 503 while loading, 200 when ready.
 */
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { PassThrough } from "node:stream";
import { TEST_IMAGE, TEST_LABEL, docker } from "./docker";
import { LLAMA_ROOTFS, stageIntoRootfs } from "./llama-rootfs";

export interface LlamaServerOptions {
  /** Host path of a .gguf file. */
  model: string;
  /** `-c`: total context over all slots. Default 2048. */
  ctx?: number;
  /** `-np`: slots. Default 1. */
  parallel?: number;
  /** More llama-server arguments, e.g. ["-a", "tiny", "--metrics", "-lv", "4"]. */
  extraArgs?: string[];
  via: "docker" | "chroot";
  /** Docker only: extra container labels (TEST_LABEL is always set). */
  labels?: Record<string, string>;
  /** How long to wait for /health 200. Default 60 s. */
  healthTimeoutMs?: number;
}

export interface LlamaServer {
  /** e.g. http://127.0.0.1:43121 (no trailing slash, no /v1). */
  url: string;
  port: number;
  /** Docker only. */
  containerId?: string;
  /** chroot only: the llama-server process id. */
  pid?: number;
  /** Everything it printed so far (stdout and stderr interleaved). */
  logs(): string;
  /** Stops it and removes the container / staged model. Idempotent. */
  stop(): Promise<void>;
}

interface Launched {
  port: number;
  containerId?: string;
  pid?: number;
  /** Resolves with a description once the server process is gone and its output has all arrived. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

const LOG_CAP = 8 * 1024 * 1024;

export async function startLlamaServer(opts: LlamaServerOptions): Promise<LlamaServer> {
  let log = "";
  const sink = new PassThrough();
  sink.setEncoding("utf8");
  sink.on("data", (chunk: string) => {
    if (log.length < LOG_CAP) log += chunk;
  });
  const args = ["-c", String(opts.ctx ?? 2048), "-np", String(opts.parallel ?? 1), ...(opts.extraArgs ?? [])];
  let launched: Launched | undefined;
  try {
    launched = opts.via === "docker" ? await launchDocker(opts, args, sink) : await launchChroot(opts, args, sink);
    await waitHealthy(`http://127.0.0.1:${launched.port}`, launched.exited, opts.healthTimeoutMs ?? 60_000);
  } catch (err) {
    await launched?.stop().catch(() => {});
    const tail = log.trimEnd().split("\n").slice(-30).join("\n");
    throw new Error(`llama-server (${opts.via}, ${path.basename(opts.model)}): ${(err as Error).message}\n--- last log lines ---\n${tail}`);
  }
  const { port, containerId, pid, stop } = launched;
  let stopped: Promise<void> | undefined;
  const server: LlamaServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    containerId,
    pid,
    logs: () => log,
    stop: () => (stopped ??= stop()),
  };
  return server;
}

async function waitHealthy(url: string, exited: Promise<string>, timeoutMs: number): Promise<void> {
  let gone: string | undefined;
  void exited.then((why) => (gone = why));
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    // `exited` settles once the output is drained too, so the log already has its last lines.
    if (gone) throw new Error(`exited before it was healthy (${gone})`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `/health answered ${res.status}`;
    } catch (err) {
      last = `/health: ${(err as Error).message}`;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not healthy within ${timeoutMs} ms (${last})`);
}

async function launchDocker(opts: LlamaServerOptions, args: string[], sink: PassThrough): Promise<Launched> {
  const inside = `/models/${path.basename(opts.model)}`;
  const container = await docker().createContainer({
    Image: TEST_IMAGE,
    Cmd: ["-m", inside, "--host", "0.0.0.0", "--port", "8080", ...args],
    Labels: { [TEST_LABEL]: "llama", ...opts.labels },
    ExposedPorts: { "8080/tcp": {} },
    HostConfig: {
      Mounts: [{ Type: "bind", Source: path.resolve(opts.model), Target: inside, ReadOnly: true }],
      // HostPort "": Docker picks a free port itself (no race with other tests picking one).
      PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] },
    },
  });
  const remove = () =>
    container.remove({ force: true }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404 && err.statusCode !== 409) throw err;
    });
  try {
    // Attach before start so that nothing it prints early (the -lv 4 memory lines) is missed.
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    docker().modem.demuxStream(stream, sink, sink);
    await container.start();
    const info = await container.inspect();
    const port = Number(info.NetworkSettings.Ports["8080/tcp"]?.[0]?.HostPort);
    const drained = new Promise<void>((resolve) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
      stream.once("error", () => resolve());
    });
    const exited = container.wait().then(
      async (r: { StatusCode: number }) => {
        await drained;
        return `container exited with code ${r.StatusCode}`;
      },
      (err: Error) => `container wait failed: ${err.message}`,
    );
    if (!port) {
      // An exited container has no port bindings: say that it exited, which is the real problem.
      const why = await Promise.race([exited, new Promise((r) => setTimeout(() => r("Docker published no host port"), 2000))]);
      throw new Error(`exited before it was healthy (${why})`);
    }
    return { port, containerId: container.id, exited, stop: remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

async function launchChroot(opts: LlamaServerOptions, args: string[], sink: PassThrough): Promise<Launched> {
  const staged = await stageIntoRootfs(opts.model);
  const port = await freePort();
  const child = spawn("chroot", [LLAMA_ROOTFS, "/usr/bin/llama-server", "-m", staged.inside, "--host", "127.0.0.1", "--port", String(port), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(sink, { end: false });
  child.stderr.pipe(sink, { end: false });
  if (child.pid) live.add(child.pid);
  const exited = new Promise<string>((resolve) => {
    // "close", not "exit": it comes once stdout and stderr are drained too.
    child.once("close", (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`));
    child.once("error", (err) => resolve(`failed to spawn chroot: ${err.message}`));
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(killer);
    }
    if (child.pid) live.delete(child.pid);
    await staged.remove();
  };
  return { port, pid: child.pid, exited, stop };
}

/** Asks the kernel for a free port. A small race remains until llama-server binds it. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// A test that forgets stop() or a worker that crashes must not leave llama-servers running. Containers
// cannot be removed synchronously here: tests clean those with cleanupContainers() by label. One set
// per process (global), so that re-imports of this module in one worker add no more exit listeners.
const LIVE = Symbol.for("switchyard.test.llama-pids");
const registry = globalThis as unknown as Record<symbol, Set<number> | undefined>;
const live: Set<number> = registry[LIVE] ?? (registry[LIVE] = new Set<number>());
if (!process.listeners("exit").some((l) => l.name === "killLiveLlamaServers")) {
  process.once("exit", function killLiveLlamaServers() {
    for (const pid of live) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
}
