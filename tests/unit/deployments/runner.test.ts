/**
 * A deployment's life on the agent (runner.ts), against a scripted Docker and scripted health
 * probes: the states it reports, what a crash does with and without a restart policy, and that a
 * failed start leaves no container behind.
 */
import { describe, expect, it } from "vitest";
import type { ContainerInfo, DockerAdapter } from "../../../agents/docker/docker-adapter";
import type { Probe } from "../../../agents/docker/health";
import { DeploymentRunner } from "../../../agents/docker/runner";
import { DeployError } from "../../../agents/docker/errors";
import { publicSpec, deploySpecSchema, type DeploymentReport, type DeploySpecInput } from "../../../protocol/deployments";
import { createLogger } from "../../../lib/logger";
import { holdsFor, waitFor } from "../../helpers/wait";

class FakeDocker implements Partial<DockerAdapter> {
  readonly publishHost = "10.0.0.2"; // not local: the runner probes the published port, no inspect needed
  readonly endpoint = "fake";
  present = true;
  startError: Error | null = null;
  removed: string[] = [];
  started = 0;
  private exits: Array<() => void> = [];
  exitCode = 1;

  async imagePresent() { return this.present; }
  async pull(_image: string, onProgress: (p: { pct: number | null; text: string }) => void) {
    onProgress({ pct: 50, text: "Downloading" });
    return { done: new Promise<void>((r) => setTimeout(r, 50)) };
  }
  async start() {
    if (this.startError) throw this.startError;
    this.started++;
  }
  async remove(id: string) { this.removed.push(id); }
  async stop() { this.crash(0); }
  async inspect(id: string): Promise<ContainerInfo> {
    return { id, labels: {}, status: "exited", running: false, exitCode: this.exitCode, oomKilled: false, startedAt: 1, ip: null, env: [], args: [] };
  }
  async logsTail() { return ["loading model", "error: out of cheese"]; }
  async hostPids() { return [4242]; }
  wait(): Promise<void> {
    return new Promise((resolve) => this.exits.push(resolve));
  }
  /** The container's process ends. */
  crash(code = 1) {
    this.exitCode = code;
    for (const e of this.exits.splice(0)) e();
  }
}

function setup(input: Partial<DeploySpecInput> = {}, probes: Probe[] = []) {
  const docker = new FakeDocker();
  const reports: DeploymentReport[] = [];
  let gone = false;
  const spec = deploySpecSchema.parse({
    id: "d1", name: "tiny", engine: "llamacpp", model: { kind: "gguf", path: "/m/t.gguf" }, image: "img", gpus: [], servedName: "tiny", ...input,
  });
  const script = [...probes];
  const runner = new DeploymentRunner(publicSpec(spec), 18080, {
    docker: docker as unknown as DockerAdapter,
    log: createLogger("test"),
    emit: (r) => reports.push(r),
    secrets: [],
    // After the script: healthy, so loops keep going quietly.
    probe: async () => script.shift() ?? { kind: "http", status: 200, body: "ok" },
    onGone: () => (gone = true),
  });
  const states = () => reports.map((r) => r.state).filter((s, i, all) => s !== all[i - 1]);
  return { docker, runner, reports, states, isGone: () => gone, launch: () => runner.launch(async () => "c1", "img") };
}

const refused: Probe = { kind: "refused", message: "ECONNREFUSED" };
const loading: Probe = { kind: "http", status: 503, body: "Loading model" };

describe("deployment runner", () => {
  it("goes starting → loading → ready with llama.cpp's semantics, and reports the container's PIDs", async () => {
    const t = setup({}, [refused, loading, loading]);
    await t.launch();
    await waitFor("ready", () => t.runner.state === "ready", 5000, 10);
    expect(t.states()).toEqual(["starting", "loading", "ready"]);
    const last = t.reports.at(-1)!;
    expect(last).toMatchObject({ containerId: "c1", port: 18080, readyAt: expect.any(Number) });
    await waitFor("pids", () => t.reports.some((r) => r.pids.includes(4242)), 2000, 10);
    expect(t.reports.map((r) => r.seq)).toEqual([...t.reports.map((r) => r.seq)].sort((a, b) => a - b));
  });

  it("reads a refused port as vLLM loading its model", async () => {
    const t = setup({ engine: "vllm", model: { kind: "hf", repo: "a/b" } }, [refused, refused]);
    await t.launch();
    await waitFor("ready", () => t.runner.state === "ready", 5000, 10);
    expect(t.states()).toEqual(["starting", "loading", "ready"]);
  });

  it("pulls a missing image first, with progress", async () => {
    const t = setup();
    t.docker.present = false;
    await t.launch();
    expect(t.runner.state).toBe("pulling");
    await waitFor("ready", () => t.runner.state === "ready", 5000, 10);
    expect(t.states()[0]).toBe("pulling");
  });

  it("a crash after serving turns failed with the last log lines, keeping the container (restart: no)", async () => {
    const t = setup();
    await t.launch();
    await waitFor("ready", () => t.runner.state === "ready", 5000, 10);
    t.docker.crash(1);
    await waitFor("failed", () => t.runner.state === "failed", 5000, 10);
    expect(t.reports.at(-1)).toMatchObject({ reason: "the engine exited with code 1", logs: ["loading model", "error: out of cheese"] });
    expect(t.docker.removed).toEqual([]);
    expect(t.isGone()).toBe(false);
  });

  it("a crash is restarted with backoff when the deployment asks for it", async () => {
    const t = setup({ restart: "on-failure" });
    await t.launch();
    await waitFor("ready", () => t.runner.state === "ready", 5000, 10);
    t.docker.crash(137);
    await waitFor("failed", () => t.runner.state === "failed", 5000, 10);
    expect(t.reports.at(-1)?.reason).toMatch(/killed .* restarting in 1 s/);
    await waitFor("ready again", () => t.runner.state === "ready" && t.docker.started === 2, 5000, 20);
    expect(t.reports.at(-1)?.restarts).toBe(1);
  });

  it("a deploy that dies before it served fails and leaves no container", async () => {
    const t = setup({}, [refused, refused, refused, refused, refused, refused]);
    await t.launch();
    t.docker.crash(1);
    await waitFor("failed", () => t.runner.state === "failed", 5000, 10);
    expect(t.docker.removed).toEqual(["c1"]);
    expect(t.isGone()).toBe(true);
    expect(t.reports.at(-1)).toMatchObject({ containerId: null, logs: ["loading model", "error: out of cheese"] });
  });

  it("a start Docker refuses removes the created container and answers the error", async () => {
    const t = setup();
    t.docker.startError = new DeployError("bad_request", "the NVIDIA Container Toolkit is not installed on box1");
    await expect(t.launch()).rejects.toThrow(/NVIDIA Container Toolkit/);
    expect(t.docker.removed).toEqual(["c1"]);
  });

  it("an engine that never gets healthy fails after its startup timeout", async () => {
    const t = setup({ startupTimeoutS: 1 }, Array.from({ length: 100 }, () => refused));
    await t.launch();
    await waitFor("failed", () => t.runner.state === "failed", 5000, 20);
    expect(t.reports.at(-1)?.reason).toMatch(/did not become healthy within 1 s \(last probe: connection: ECONNREFUSED\)/);
    expect(t.docker.removed).toEqual(["c1"]);
  });

  it("a stop that overtakes a slow create leaves no container behind", async () => {
    const t = setup();
    let created!: (id: string) => void;
    const launching = t.runner.launch(() => new Promise<string>((r) => (created = r)), "img");
    await waitFor("create asked", () => created !== undefined, 2000, 5);
    await t.runner.stop(); // no container yet: nothing to stop
    created("c-late");
    await expect(launching).rejects.toThrow(/was stopped while it was being deployed/);
    expect(t.docker.removed).toEqual(["c-late"]);
    expect(t.docker.started).toBe(0);
  });

  it("stops: the container is removed and nothing restarts it", async () => {
    const t = setup({ restart: "always" });
    await t.launch();
    await waitFor("ready", () => t.runner.state === "ready", 5000, 10);
    await t.runner.stop();
    expect(t.runner.state).toBe("stopped");
    expect(t.docker.removed).toEqual(["c1"]);
    // An absence: no start through a window past the first restart delay (1 s).
    await holdsFor("no restart after stop()", () => t.docker.started === 1, 1200);
    expect(t.docker.started).toBe(1);
  });
});
