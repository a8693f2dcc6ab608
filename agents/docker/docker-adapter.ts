/**
 * The agent's only door to the Docker Engine (dockerode; honours DOCKER_HOST as Docker's own tools
 * do). Every operation on a container id first checks that the container carries Switchyard's
 * labels for this node: the agent never touches anyone else's containers. Labels cannot change
 * after creation, so a container checked once is remembered as ours.
 */
import { PassThrough } from "node:stream";
import Docker from "dockerode";
import { DeployError, daemonMessage, isDaemonUnreachable, toDeployError, type ErrorContext } from "./errors";
import { isOurs, LABELS } from "./labels";
import { LineSplitter, toLines } from "../../lib/line-splitter";
import { demuxDockerLog } from "./log-lines";
import type { ContainerSpec } from "./profiles";
import { entryFromStat, firstTarEntry, type TarEntryHead } from "./tar-head";

export interface ContainerInfo {
  id: string;
  labels: Record<string, string>;
  /** created, running, exited, dead, … */
  status: string;
  running: boolean;
  exitCode: number | null;
  oomKilled: boolean;
  startedAt: number | null;
  /** The container's address on its Docker network (reachable from the host on Linux), when it has one. */
  ip: string | null;
  /** `Config.Env` (KEY=value): may hold secrets, so it is only read back, never reported or logged. */
  env: string[];
  /** Entrypoint and command as created (SGLang's API key is there: it has no environment form). */
  args: string[];
}

export interface PullProgress {
  pct: number | null;
  text: string;
}

export interface DockerAdapter {
  readonly endpoint: string;
  /** Where the agent reaches ports the daemon publishes. */
  readonly publishHost: string;
  /** The daemon runs on this machine (a local socket): paths it mounts are paths the agent can read. */
  readonly local: boolean;
  ping(): Promise<void>;
  imagePresent(image: string): Promise<boolean>;
  /** Resolves once the daemon accepted the pull (rejects at once when no registry answers); `done` settles when it finished. */
  pull(image: string, onProgress: (p: PullProgress) => void): Promise<{ done: Promise<void> }>;
  create(spec: ContainerSpec): Promise<string>;
  start(id: string): Promise<void>;
  stop(id: string, timeoutS: number): Promise<void>;
  /** Force-removes; a container that is already gone counts as removed. */
  remove(id: string): Promise<void>;
  inspect(id: string): Promise<ContainerInfo>;
  logsTail(id: string, lines: number): Promise<string[]>;
  followLogs(id: string, tail: number, onLines: (lines: string[]) => void, onEnd: (reason?: string) => void): Promise<() => void>;
  /** Host PIDs of the container's processes (`docker top`), to join per-process GPU telemetry. */
  hostPids(id: string): Promise<number[]>;
  /** Resolves when the container is not running any more. */
  wait(id: string): Promise<void>;
  listManaged(): Promise<ContainerInfo[]>;
  /**
   * A path inside a created (not necessarily started) container of ours, as its mounts show it on
   * the daemon's disk: its type and first bytes, or null when it does not exist. For checking what a
   * remote daemon would mount, which the agent cannot read itself.
   */
  peekPath(id: string, path: string, bytes: number): Promise<TarEntryHead | null>;
  /** Host ports published by any container, and held by any Switchyard container (also stopped). */
  takenPorts(): Promise<Set<number>>;
}

const PEEK_TIMEOUT_MS = 15_000;

function dockerEndpoint(): string {
  return process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
}

function publishHostOf(endpoint: string): string {
  const m = /^(?:tcp|http|https):\/\/([^:/]+)/.exec(endpoint);
  return m?.[1] ?? "127.0.0.1";
}

const time = (iso: string | undefined) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) && t > 0 ? t : null;
};

export function createDockerAdapter(node: string, client: Docker = new Docker()): DockerAdapter {
  const endpoint = dockerEndpoint();
  const verified = new Set<string>();
  const ctx = (extra: Partial<ErrorContext> = {}): ErrorContext => ({ node, endpoint, ...extra });

  const guard = async <T>(work: () => Promise<T>, extra?: Partial<ErrorContext>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw toDeployError(err, ctx(extra));
    }
  };

  const infoOf = (c: Docker.ContainerInspectInfo): ContainerInfo => ({
    id: c.Id,
    labels: c.Config.Labels ?? {},
    status: c.State.Status,
    running: c.State.Running,
    exitCode: c.State.Running || c.State.Status === "created" ? null : c.State.ExitCode,
    oomKilled: c.State.OOMKilled,
    startedAt: time(c.State.StartedAt),
    ip: Object.values(c.NetworkSettings.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress || null,
    env: c.Config.Env ?? [],
    args: [...[c.Config.Entrypoint ?? []].flat(), ...(c.Config.Cmd ?? [])],
  });

  /** The container, once its labels say it is ours. */
  const ours = async (id: string): Promise<Docker.Container> => {
    const container = client.getContainer(id);
    if (verified.has(id)) return container;
    const info = await guard(() => container.inspect());
    if (!isOurs(info.Config.Labels, node)) {
      throw new DeployError("forbidden", `container ${id.slice(0, 12)} is not a Switchyard container of node ${node}: the agent leaves it alone`);
    }
    verified.add(id);
    verified.add(info.Id);
    return container;
  };

  return {
    endpoint,
    publishHost: publishHostOf(endpoint),
    local: /^(unix|npipe):\/\//.test(endpoint),
    ping: () => guard(async () => void (await client.ping())),

    imagePresent: (image) => guard(async () => {
      try {
        await client.getImage(image).inspect();
        return true;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return false;
        throw err;
      }
    }),

    async pull(image, onProgress) {
      let stream: NodeJS.ReadableStream;
      try {
        stream = await client.pull(image);
      } catch (err) {
        if (isDaemonUnreachable(err)) throw toDeployError(err, ctx({ image }));
        throw new DeployError("bad_request", `image ${image} is not on ${node} and cannot be pulled: ${daemonMessage(err)}. Pull or load it on that box (docker pull / docker load), or name a local image with --image`);
      }
      const layers = new Map<string, { current: number; total: number }>();
      const done = new Promise<void>((resolve, reject) => {
        let failure: string | null = null;
        client.modem.followProgress(stream, (err: Error | null) => {
          if (err || failure) reject(new DeployError("bad_request", `pulling image ${image} on ${node} failed: ${failure ?? err?.message}`));
          else resolve();
        }, (ev: { status?: string; id?: string; error?: string; progressDetail?: { current?: number; total?: number } }) => {
          if (ev.error) failure = ev.error;
          if (ev.id && ev.progressDetail?.total) layers.set(ev.id, { current: ev.progressDetail.current ?? 0, total: ev.progressDetail.total });
          let cur = 0;
          let tot = 0;
          for (const l of layers.values()) {
            cur += l.current;
            tot += l.total;
          }
          onProgress({ pct: tot > 0 ? Math.min(100, (cur / tot) * 100) : null, text: ev.status ?? "pulling" });
        });
      });
      return { done };
    },

    async create(spec) {
      // The spec must carry our labels, or the container would be invisible to the guard later.
      if (!isOurs(spec.Labels, node)) throw new Error("refusing to create a container without Switchyard's labels");
      const c = await guard(() => client.createContainer(spec), { image: spec.Image });
      verified.add(c.id);
      return c.id;
    },

    async start(id) {
      const c = await ours(id);
      const info = await guard(() => c.inspect());
      const port = Number(info.Config.Labels?.[LABELS.port]) || undefined;
      await guard(() => c.start(), { image: info.Config.Image, port });
    },

    async stop(id, timeoutS) {
      const c = await ours(id);
      await guard(async () => {
        try {
          await c.stop({ t: timeoutS });
        } catch (err) {
          // 304: already stopped; 404: already gone. Both are the goal.
          const status = (err as { statusCode?: number }).statusCode;
          if (status !== 304 && status !== 404) throw err;
        }
      });
    },

    async remove(id) {
      let c: Docker.Container;
      try {
        c = await ours(id);
      } catch (err) {
        if (/No such container/i.test((err as Error).message)) return;
        throw err;
      }
      await guard(async () => {
        try {
          await c.remove({ force: true });
        } catch (err) {
          const status = (err as { statusCode?: number }).statusCode;
          if (status !== 404 && status !== 409) throw err;
        }
      });
      verified.delete(id);
    },

    async inspect(id) {
      const c = await ours(id);
      return infoOf(await guard(() => c.inspect()));
    },

    async logsTail(id, lines) {
      const c = await ours(id);
      const buf = await guard(() => c.logs({ stdout: true, stderr: true, tail: lines, follow: false }));
      return toLines(demuxDockerLog(Buffer.from(buf as unknown as Buffer)));
    },

    async followLogs(id, tail, onLines, onEnd) {
      const c = await ours(id);
      const stream = (await guard(() => c.logs({ stdout: true, stderr: true, tail, follow: true }))) as NodeJS.ReadableStream & { destroy(): void };
      const splitter = new LineSplitter();
      const sink = new PassThrough();
      sink.setEncoding("utf8");
      sink.on("data", (chunk: string) => {
        const lines = splitter.push(chunk);
        if (lines.length) onLines(lines);
      });
      client.modem.demuxStream(stream, sink, sink);
      let ended = false;
      const end = (reason?: string) => {
        if (ended) return;
        ended = true;
        const rest = splitter.flush();
        if (rest.length) onLines(rest);
        onEnd(reason);
      };
      stream.on("end", () => end("the container stopped"));
      stream.on("error", (err: Error) => end(err.message));
      return () => {
        end();
        stream.destroy();
      };
    },

    async hostPids(id) {
      const c = await ours(id);
      const top = (await guard(() => c.top())) as { Titles: string[]; Processes: string[][] };
      const col = top.Titles.findIndex((t) => t.trim().toUpperCase() === "PID");
      return col < 0 ? [] : top.Processes.map((p) => Number(p[col])).filter((n) => Number.isInteger(n) && n > 0);
    },

    async wait(id) {
      const c = await ours(id);
      await guard(() => c.wait({ condition: "not-running" }));
    },

    async listManaged() {
      const list = await guard(() => client.listContainers({ all: true, filters: { label: [`${LABELS.managed}=true`, `${LABELS.node}=${node}`] } }));
      const out: ContainerInfo[] = [];
      for (const c of list) {
        if (!isOurs(c.Labels, node)) continue;
        verified.add(c.Id);
        try {
          out.push(infoOf(await client.getContainer(c.Id).inspect()));
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode !== 404) throw toDeployError(err, ctx());
        }
      }
      return out;
    },

    async peekPath(id, path, bytes) {
      const c = await ours(id);
      // A daemon that never answers must not hold the deploy (and the server's request) forever.
      const slow = () => new DeployError("unavailable", `the Docker daemon did not show ${path} of a created container within ${PEEK_TIMEOUT_MS / 1000} s`);
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), PEEK_TIMEOUT_MS);
      // No content wanted: ask for the stat header alone. An archive of a folder would have the
      // daemon tar all of it (the whole host, for a link to /), holding the container's lock meanwhile.
      if (bytes === 0) {
        try {
          const res = (await c.infoArchive({ path, abortSignal: abort.signal })) as { headers: Record<string, string | undefined>; resume(): void };
          res.resume();
          return entryFromStat(res.headers["x-docker-container-path-stat"]);
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404) return null;
          if (abort.signal.aborted) throw slow();
          throw toDeployError(err, ctx());
        } finally {
          clearTimeout(timer);
        }
      }
      let stream: NodeJS.ReadableStream & { destroy(): void };
      try {
        stream = (await c.getArchive({ path, abortSignal: abort.signal })) as typeof stream;
      } catch (err) {
        clearTimeout(timer);
        if ((err as { statusCode?: number }).statusCode === 404) return null;
        if (abort.signal.aborted) throw slow();
        throw toDeployError(err, ctx());
      }
      return new Promise((resolve, reject) => {
        let buf = Buffer.alloc(0);
        let done = false;
        const finish = (result: TarEntryHead | null | Error) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          stream.removeAllListeners("data");
          stream.destroy();
          if (result instanceof Error) reject(result);
          else resolve(result);
        };
        abort.signal.addEventListener("abort", () => finish(slow()));
        stream.on("data", (chunk: Buffer) => {
          buf = Buffer.concat([buf, chunk]);
          const entry = firstTarEntry(buf, bytes);
          if (entry !== "more") finish(entry);
          else if (buf.length > (1 << 20) + bytes) finish(new DeployError("unavailable", `the Docker daemon's archive of ${path} could not be read`));
        });
        stream.on("end", () => {
          const entry = firstTarEntry(buf, bytes);
          finish(entry === "more" ? null : entry);
        });
        stream.on("error", (err: Error) => finish(err));
      });
    },

    async takenPorts() {
      const list = await guard(() => client.listContainers({ all: true }));
      const taken = new Set<number>();
      for (const c of list) {
        if (c.State === "running") for (const p of c.Ports ?? []) if (p.PublicPort) taken.add(p.PublicPort);
        const held = Number(c.Labels?.[LABELS.port]);
        if (c.Labels?.[LABELS.managed] === "true" && held) taken.add(held);
      }
      return taken;
    },
  };
}
