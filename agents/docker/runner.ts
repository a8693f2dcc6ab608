/**
 * One deployment on this node, from image to serving and back: pulling → starting → loading →
 * ready, watched by health probes with the engine's semantics (health.ts) and by waiting on the
 * container's exit; failed with the reason and the last log lines; restarted with backoff when
 * its policy asks (lifecycle.ts). Every change is reported through `emit`.
 */
import type { DeploymentReport, DeploymentState, PublicSpec } from "../../protocol/deployments";
import type { Logger } from "../../lib/logger";
import type { DockerAdapter } from "./docker-adapter";
import { DeployError } from "./errors";
import { HEALTH_PATH, SERVING_PROBE_EVERY_MS, UNHEALTHY_AFTER, servingHealthy, startupProbeDelayMs, startupVerdict, type Probe } from "./health";
import { RESTART_RESET_AFTER_MS, describeExit, restartDelayMs, shouldRestart } from "./lifecycle";
import { redact } from "./log-lines";
import { PROFILES } from "./profiles";

export const FAILURE_LOG_LINES = 40;
const STOP_TIMEOUT_S = 10;
const STARTUP_PROBE_TIMEOUT_MS = 1000;
/** vLLM answers /sleep and /wake_up once done: moving the weights takes seconds for large models. */
const SLEEP_TIMEOUT_MS = 120_000;

export interface RunnerDeps {
  docker: DockerAdapter;
  log: Logger;
  emit(report: DeploymentReport): void;
  /** Secret values to scrub from anything reported (HF token, API key). */
  secrets: readonly string[];
  probe?: (url: string) => Promise<Probe>;
  /** Called once the runner is gone for good (stopped, or failed and removed). */
  onGone?(): void;
}

export async function httpProbe(url: string, timeoutMs = 2000): Promise<Probe> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { kind: "http", status: res.status, body: (await res.text()).slice(0, 300) };
  } catch (err) {
    const cause = (err as Error & { cause?: { code?: string } }).cause;
    return { kind: "refused", message: cause?.code ?? (err as Error).message };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DeploymentRunner {
  private r: DeploymentReport;
  private everReady = false;
  private stopping = false;
  /** Bumped on stop/restart: loops of an older generation end quietly. */
  private generation = 0;
  private attempt = 0;
  /** For an adopted container: when it started, which stands in for when it became ready. */
  private adoptedAt: number | null = null;

  constructor(readonly spec: PublicSpec, port: number, private readonly deps: RunnerDeps) {
    this.r = {
      id: spec.id, seq: 0, name: spec.name, state: "pending", reason: null, logs: [], containerId: null, port,
      pids: [], startedAt: null, readyAt: null, restarts: 0, warnings: [], progress: null, spec,
    };
  }

  report(): DeploymentReport {
    return { ...this.r };
  }

  /** Records something the user should know about this deployment (shown with it). */
  warn(text: string): void {
    this.r = { ...this.r, warnings: [...this.r.warnings, text], seq: this.r.seq + 1 };
  }

  get secretValues(): readonly string[] {
    return this.deps.secrets;
  }

  get containerId(): string | null {
    return this.r.containerId;
  }

  private set(patch: Partial<DeploymentReport>): void {
    this.r = { ...this.r, ...patch, seq: this.r.seq + 1 };
    this.deps.emit(this.report());
  }

  private async lastLines(): Promise<string[]> {
    if (!this.r.containerId) return [];
    try {
      const lines = await this.deps.docker.logsTail(this.r.containerId, FAILURE_LOG_LINES);
      return lines.map((l) => redact(l, this.deps.secrets));
    } catch {
      return [];
    }
  }

  /** Synchronous part of a deploy: errors here are answered to the request and leave nothing behind. */
  async launch(create: () => Promise<string>, image: string): Promise<void> {
    if (await this.deps.docker.imagePresent(image)) {
      await this.createAndStart(create);
      void this.supervise(this.generation);
      return;
    }
    const { done } = await this.deps.docker.pull(image, (progress) => {
      // Progress before the daemon accepted the pull is not reported: the pull may still be refused.
      if (this.r.state !== "pulling") return;
      this.r = { ...this.r, progress, seq: this.r.seq + 1 };
      this.throttledEmit();
    });
    this.set({ state: "pulling", progress: { pct: null, text: `pulling ${image}` } });
    const gen = this.generation;
    void done
      .then(async () => {
        if (gen !== this.generation) return;
        this.set({ progress: null });
        await this.createAndStart(create);
        void this.supervise(gen);
      })
      .catch((err: Error) => this.fail(err.message, false));
  }

  private lastEmit = 0;
  private throttledEmit(): void {
    const now = Date.now();
    if (now - this.lastEmit < 500) return;
    this.lastEmit = now;
    this.deps.emit(this.report());
  }

  private async createAndStart(create: () => Promise<string>): Promise<void> {
    const id = await create();
    if (this.stopping) {
      // A stop overtook a slow create: it found no container, so this one must not outlive it.
      await this.deps.docker.remove(id).catch(() => {});
      throw new DeployError("conflict", `${this.spec.name} was stopped while it was being deployed`);
    }
    this.r = { ...this.r, containerId: id, seq: this.r.seq + 1 };
    try {
      await this.deps.docker.start(id);
    } catch (err) {
      // A container whose start failed (no GPU runtime, port taken) stays `created`: remove it.
      await this.deps.docker.remove(id).catch(() => {});
      this.r = { ...this.r, containerId: null };
      throw err;
    }
    this.set({ state: "starting", startedAt: Date.now(), reason: null, logs: [] });
    void this.refreshPids();
  }

  /** Takes over a container found on the node (agent restart). */
  adopt(info: { id: string; status?: string; running: boolean; startedAt: number | null; exitCode: number | null; oomKilled: boolean }): void {
    this.r = { ...this.r, containerId: info.id, startedAt: info.startedAt };
    if (info.status === "created") {
      // An agent that stopped between creating the container and starting it: the start is finished now.
      void this.deps.docker.start(info.id).then(() => {
        this.set({ state: "starting", startedAt: Date.now() });
        void this.refreshPids();
        void this.supervise(this.generation);
      }, (err: Error) => this.fail(`starting the container failed: ${err.message}`, true));
      return;
    }
    // It was started by an earlier agent; if it had not become ready then, probes will say so.
    this.everReady = info.startedAt !== null;
    this.adoptedAt = info.startedAt;
    if (info.running) {
      this.set({ state: "starting" });
      void this.refreshPids();
      void this.supervise(this.generation);
    } else {
      void this.onExit(this.generation, { exitCode: info.exitCode, oomKilled: info.oomKilled });
    }
  }

  private async supervise(gen: number): Promise<void> {
    const id = this.r.containerId!;
    void this.deps.docker.wait(id).then(
      async () => {
        if (gen !== this.generation) return;
        const info = await this.deps.docker.inspect(id).catch(() => null);
        await this.onExit(gen, { exitCode: info?.exitCode ?? null, oomKilled: info?.oomKilled ?? false });
      },
      (err: Error) => gen === this.generation && this.deps.log.warn({ err: err.message, deployment: this.r.name }, "waiting on the container failed"),
    );
    await this.startup(gen);
  }

  /** The container's own address when Docker runs here, else the published port. */
  private probeBase: string | null = null;

  private async url(): Promise<string> {
    return `${await this.base()}${HEALTH_PATH}`;
  }

  private async base(): Promise<string> {
    if (!this.probeBase) {
      // Through Docker's userland proxy, a connection made while the engine is not listening yet can
      // hang instead of being refused; the container's address answers at once either way.
      const info = this.deps.docker.publishHost === "127.0.0.1" && this.r.containerId
        ? await this.deps.docker.inspect(this.r.containerId).catch(() => null)
        : null;
      const port = PROFILES[this.spec.engine].containerPort;
      this.probeBase = info?.ip ? `http://${info.ip}:${port}` : `http://${this.deps.docker.publishHost}:${this.r.port}`;
    }
    return this.probeBase;
  }

  private async startup(gen: number): Promise<void> {
    const probe = this.deps.probe ?? ((url: string) => httpProbe(url, STARTUP_PROBE_TIMEOUT_MS));
    this.probeBase = null; // a restarted container may have a new address
    const t0 = Date.now();
    const limitS = this.spec.startupTimeoutS ?? PROFILES[this.spec.engine].startupTimeoutS;
    let last = "no answer yet";
    while (gen === this.generation) {
      const p = await probe(await this.url());
      if (gen !== this.generation) return;
      const verdict = startupVerdict(this.spec.engine, p);
      last = p.kind === "http" ? `${HEALTH_PATH} answered ${p.status} ${p.body.slice(0, 80)}` : `connection: ${p.message}`;
      if (verdict === "ready") {
        this.everReady = true;
        // An adopted engine may be asleep (an on-demand unload before the agent restarted): it stays standby.
        const asleep = this.adoptedAt !== null && (await this.engineSleeps());
        this.set({ state: asleep ? "standby" : "ready", readyAt: asleep ? null : (this.adoptedAt ?? Date.now()), reason: null, logs: [], progress: null });
        this.adoptedAt = null;
        void this.refreshPids();
        void this.serve(gen);
        return;
      }
      // Once the engine answered (loading), a moment of refused connections (SGLang handing its
      // port from the warm-up server to the real one) is not a step back to "starting".
      const shown = verdict === "starting" && this.r.state === "loading" ? "loading" : verdict;
      if (shown !== this.r.state) this.set({ state: shown });
      if (Date.now() - t0 > limitS * 1000) {
        this.generation++;
        await this.fail(`${this.spec.name} did not become healthy within ${limitS} s (last probe: ${last})`, true);
        return;
      }
      await sleep(startupProbeDelayMs(Date.now() - t0));
    }
  }

  private async serve(gen: number): Promise<void> {
    const probe = this.deps.probe ?? httpProbe;
    let misses = 0;
    while (gen === this.generation) {
      await sleep(SERVING_PROBE_EVERY_MS);
      if (gen !== this.generation) return;
      const p = await probe(await this.url());
      if (gen !== this.generation) return;
      if (servingHealthy(p)) {
        misses = 0;
        // A sleeping engine answers /health too: asleep is not "ready".
        if (this.r.state !== "ready" && this.r.state !== "standby") this.set({ state: "ready", reason: null });
        if (this.r.readyAt && Date.now() - this.r.readyAt > RESTART_RESET_AFTER_MS) this.attempt = 0;
      } else if (++misses >= UNHEALTHY_AFTER && this.r.state !== "unhealthy") {
        const why = p.kind === "http" ? `${HEALTH_PATH} answered ${p.status}` : `no connection (${p.message})`;
        this.set({ state: "unhealthy", reason: `${misses} health checks in a row failed: ${why}` });
      }
      await this.refreshPids();
    }
  }

  private async refreshPids(): Promise<void> {
    if (!this.r.containerId) return;
    const pids = await this.deps.docker.hostPids(this.r.containerId).catch(() => null);
    if (pids && pids.join(",") !== this.r.pids.join(",")) this.set({ pids });
  }

  private async onExit(gen: number, exit: { exitCode: number | null; oomKilled: boolean }): Promise<void> {
    if (gen !== this.generation || this.stopping) return;
    this.generation++;
    const logs = await this.lastLines();
    const why = describeExit(exit.exitCode, exit.oomKilled);
    if (shouldRestart(this.spec.restart, exit.exitCode, this.everReady, this.stopping)) {
      const delay = restartDelayMs(this.attempt++);
      this.set({ state: "failed", reason: `${why}; restarting in ${Math.round(delay / 1000)} s`, logs, pids: [] });
      const next = this.generation;
      await sleep(delay);
      if (next !== this.generation || this.stopping) return;
      try {
        await this.deps.docker.start(this.r.containerId!);
        this.set({ state: "starting", restarts: this.r.restarts + 1, startedAt: Date.now(), reason: null });
        void this.refreshPids();
        void this.supervise(next);
      } catch (err) {
        this.set({ state: "failed", reason: `restart failed: ${(err as Error).message}` });
      }
      return;
    }
    // A deploy that never served leaves nothing behind; one that served keeps its container for `logs`.
    await this.fail(why, !this.everReady, logs);
  }

  private async fail(reason: string, remove: boolean, logs?: string[]): Promise<void> {
    const lines = logs ?? (await this.lastLines());
    this.generation++;
    if (remove || !this.r.containerId) {
      if (this.r.containerId) await this.deps.docker.remove(this.r.containerId).catch(() => {});
      this.set({ state: "failed", reason, logs: lines, containerId: null, pids: [] });
      this.deps.onGone?.();
      return;
    }
    this.set({ state: "failed", reason, logs: lines, pids: [] });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.generation++;
    this.set({ state: "stopping" });
    const id = this.r.containerId;
    if (id) {
      await this.deps.docker.stop(id, STOP_TIMEOUT_S).catch((err: Error) => {
        if (!(err instanceof DeployError) || err.code === "unavailable") throw err;
      });
      await this.deps.docker.remove(id);
    }
    this.set({ state: "stopped", containerId: null, pids: [], progress: null });
    this.deps.onGone?.();
  }

  async restart(): Promise<void> {
    const id = this.r.containerId;
    if (!id) throw new DeployError("conflict", `${this.spec.name} has no container to restart (state ${this.r.state}): deploy it again`);
    this.generation++;
    const gen = this.generation;
    this.set({ state: "stopping", reason: null });
    await this.deps.docker.stop(id, STOP_TIMEOUT_S);
    await this.deps.docker.start(id);
    this.attempt = 0;
    this.set({ state: "starting", restarts: this.r.restarts + 1, startedAt: Date.now(), readyAt: null, logs: [] });
    void this.supervise(gen);
  }

  get state(): DeploymentState {
    return this.r.state;
  }

  /** The engine's sleep endpoints, when it was started able to sleep. */
  private sleepPaths() {
    const paths = PROFILES[this.spec.engine].sleep;
    if (!this.spec.sleepMode || !paths) throw new DeployError("bad_request", `${this.spec.name} was not started with a sleep mode (--unload sleep)`);
    return paths;
  }

  private async engineSleeps(): Promise<boolean> {
    if (!this.spec.sleepMode) return false;
    try {
      const res = await fetch(`${await this.base()}${this.sleepPaths().isSleeping}`, { signal: AbortSignal.timeout(STARTUP_PROBE_TIMEOUT_MS * 2) });
      return res.ok && ((await res.json()) as { is_sleeping?: unknown }).is_sleeping === true;
    } catch {
      return false;
    }
  }

  private async post(path: string, what: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(`${await this.base()}${path}`, { method: "POST", signal: AbortSignal.timeout(SLEEP_TIMEOUT_MS) });
    } catch (err) {
      throw new DeployError("unavailable", `${this.spec.name}: ${what} failed: ${(err as Error).message}`);
    }
    const body = (await res.text()).slice(0, 300);
    if (!res.ok) throw new DeployError("unavailable", `${this.spec.name}: ${what} answered ${res.status} ${body}`);
  }

  /** vLLM sleep mode, level 1: the engine frees its GPU memory and keeps its weights in CPU memory. */
  async sleep(): Promise<void> {
    if (this.r.state !== "ready" && this.r.state !== "unhealthy") throw new DeployError("conflict", `${this.spec.name} is ${this.r.state}: only a serving engine can sleep`);
    await this.post(this.sleepPaths().sleep, "sleep");
    this.set({ state: "standby", readyAt: null });
  }

  /** Wakes a sleeping engine; resolves once it serves again. */
  async wake(): Promise<void> {
    if (this.r.state !== "standby") return;
    await this.post(this.sleepPaths().wake, "wake_up");
    this.set({ state: "ready", readyAt: Date.now(), reason: null });
  }
}
