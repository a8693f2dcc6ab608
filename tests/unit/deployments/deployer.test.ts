/**
 * The agent's deployer against a scripted Docker: what it does with containers it finds after an
 * agent restart (adopted, and their logs still scrubbed of the secrets it never saw in a request),
 * and the warning a deploy gets when its engine takes the API key only on the command line.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createDeployer, type Deployer } from "../../../agents/docker/deployer";
import type { ContainerInfo, DockerAdapter } from "../../../agents/docker/docker-adapter";
import { LABELS } from "../../../agents/docker/labels";
import { deploySpecSchema, publicSpec, type DeploySpecInput } from "../../../protocol/deployments";
import { createLogger } from "../../../lib/logger";

const HF_TOKEN = "hf_adopted_token_value";
const API_KEY = "sk-adopted-api-key";

class FakeDocker implements Partial<DockerAdapter> {
  readonly publishHost = "10.0.0.2"; // not local: no model path checks, probes go to the published port
  readonly endpoint = "fake";
  containers: ContainerInfo[] = [];
  created: Array<{ Env?: string[]; Cmd?: string[] }> = [];
  pingGate: Promise<void> = Promise.resolve();
  async ping() { await this.pingGate; }
  async imagePresent() { return true; }
  async takenPorts() { return new Set<number>(); }
  async create(spec: { Env?: string[]; Cmd?: string[] }) {
    this.created.push(spec);
    return `c-${this.created.length}`;
  }
  async start() {}
  async remove() {}
  async stop() {}
  async listManaged() { return this.containers; }
  async inspect(id: string) { return this.containers.find((c) => c.id === id)!; }
  async logsTail() { return [`token ${HF_TOKEN} and key ${API_KEY} in a log line`]; }
  async hostPids() { return [4242]; }
  wait(): Promise<void> { return new Promise(() => {}); }
}

function spec(input: Partial<DeploySpecInput> = {}) {
  return deploySpecSchema.parse({
    id: "dep-1", name: "qwen", engine: "vllm", model: { kind: "hf", repo: "Qwen/Qwen3-8B" }, image: "img", gpus: [0],
    servedName: "qwen", options: { apiKey: API_KEY }, secrets: { hfToken: HF_TOKEN }, ...input,
  });
}

describe("deployer", () => {
  let deployer: Deployer | null = null;
  afterEach(() => deployer?.close());

  const make = (docker: FakeDocker) =>
    (deployer = createDeployer({
      node: "box1", log: createLogger("test"), docker: docker as unknown as DockerAdapter, emit: () => {},
      portRange: { from: 28900, to: 28910 }, hfCacheDir: "/tmp/switchyard-test-hf", probe: async () => ({ kind: "http", status: 200, body: "ok" }),
    }));

  it("scrubs an adopted container's logs with the secrets read back from its environment", async () => {
    const docker = new FakeDocker();
    const s = spec();
    docker.containers = [{
      id: "c-adopted", status: "running", running: true, exitCode: null, oomKilled: false, startedAt: Date.now() - 1000, ip: null,
      labels: {
        [LABELS.managed]: "true", [LABELS.node]: "box1", [LABELS.deployment]: s.id, [LABELS.name]: s.name,
        [LABELS.port]: "28901", [LABELS.spec]: JSON.stringify(publicSpec(s)),
      },
      env: ["PATH=/usr/bin", `HF_TOKEN=${HF_TOKEN}`, `VLLM_API_KEY=${API_KEY}`],
      args: ["vllm", "serve", "Qwen/Qwen3-8B"],
    }];
    const d = make(docker);
    await d.adoptAll();
    expect(d.list().map((r) => r.id)).toEqual([s.id]);
    const { lines } = await d.logs(s.id, 10);
    expect(lines).toEqual(["token [redacted] and key [redacted] in a log line"]);
  });

  it("puts the API key in the environment, or warns where the engine (SGLang) takes it only as a flag", async () => {
    const docker = new FakeDocker();
    const d = make(docker);
    const report = await d.create(spec({ engine: "sglang", id: "dep-2", name: "sg" }));
    expect(report.warnings).toContain("SGLang takes --api-key on its command line: visible to users of the GPU box");
    const created = docker.created[0]!;
    expect(created.Cmd).toEqual(expect.arrayContaining(["--api-key", API_KEY]));

    const vllm = await d.create(spec({ id: "dep-3", name: "v" }));
    expect(vllm.warnings).toEqual([]);
    expect(docker.created[1]!.Cmd).not.toContain(API_KEY);
    expect(docker.created[1]!.Env).toContain(`VLLM_API_KEY=${API_KEY}`);
  });

  it("a stop that arrives while a create is still checking the node ends that create: nothing is started", async () => {
    const docker = new FakeDocker();
    let open!: () => void;
    docker.pingGate = new Promise((r) => (open = r));
    const d = make(docker);
    const creating = d.create(spec({ id: "dep-4", name: "late" }));
    expect(await d.stop("dep-4")).toEqual({ removed: true });
    open();
    await expect(creating).rejects.toThrow(/late was stopped while it was being deployed/);
    expect(docker.created).toEqual([]);
    expect(d.list()).toEqual([]);
  });
});
