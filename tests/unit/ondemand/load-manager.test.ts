/**
 * The load manager through the deployments core and its REST adapter, on in-memory SQLite with a
 * scripted agent link and a fixed estimate: what it asks agents and when (one start for many
 * requests, unloads to make room, none while a request is in flight), what it records (standby,
 * failures with log lines), and its idle timer on an injected clock. The real agent, Docker and
 * llama.cpp are in tests/integration/ondemand.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEPLOY_ACTIONS, DEPLOY_EVENTS, type DeploymentReportInput, type DeploymentView } from "../../../protocol/deployments";
import { createApi } from "../../../server/api/app";
import { createAuth } from "../../../server/core/auth";
import { createDeployments, type Deployments } from "../../../server/core/deployments";
import type { FitEstimator } from "../../../server/core/deployments/fit-hook";
import { createFleet, type Fleet } from "../../../server/core/fleet";
import { createHistory } from "../../../server/core/history";
import { LoadError } from "../../../server/core/ondemand";
import { ServiceError } from "../../../server/core/errors";
import { createSecrets } from "../../../server/core/secrets";
import { createSessions } from "../../../server/core/sessions";
import { openMemoryDatabase, type DbHandle } from "../../../server/db/client";
import { deploymentsRepo } from "../../../server/db/repos/deployments-repo";
import { nodesRepo } from "../../../server/db/repos/nodes-repo";
import { samplesRepo } from "../../../server/db/repos/samples-repo";
import { sessionsRepo } from "../../../server/db/repos/sessions-repo";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { sample } from "../../helpers/samples";
import { apiCaller } from "../../helpers/api-call";

const ADMIN = "admin-token-for-tests";
const MiB = 1024 ** 2;
type Listener = (node: { id: string; name: string }, event: string, payload: unknown) => void | Promise<void>;

/** A scripted agent: records requests; a create answers "starting", and the test says when it is ready. */
class FakeAgent {
  requests: Array<{ action: string; payload: any }> = [];
  private listeners = new Set<Listener>();
  private seq = 100;
  createAnswer: (payload: any) => DeploymentReportInput | Error = (p) => ({ id: p.id, name: p.name, state: "starting", containerId: `c-${p.name}`, port: 18080, seq: 1 });
  async request(_node: string, action: string, payload: any) {
    this.requests.push({ action, payload });
    if (action === DEPLOY_ACTIONS.create) {
      const a = this.createAnswer(payload);
      if (a instanceof Error) throw a;
      return a;
    }
    if (action === DEPLOY_ACTIONS.logs) return { lines: ["llama_model_load: loading", "error: out of memory"] };
    return {};
  }
  isConnected = () => true;
  remoteAddress = () => "10.0.0.5";
  onEvent(l: Listener) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  async report(p: DeploymentReportInput) {
    await Promise.all([...this.listeners].map((l) => l({ id: "n1", name: "box1" }, DEPLOY_EVENTS.state, { seq: this.seq++, ...p })));
  }
  /** What the agent says after a (re)connection: everything it runs. */
  async announce(reports: DeploymentReportInput[]) {
    await Promise.all([...this.listeners].map((l) => l({ id: "n1", name: "box1" }, DEPLOY_EVENTS.announce, { reports, complete: true })));
  }
  ready(id: string, name: string, at: number) {
    return this.report({ id, name, state: "ready", containerId: `c-${name}`, port: 18080, readyAt: at });
  }
  count(action: string) {
    return this.requests.filter((r) => r.action === action).length;
  }
}

/** Resolves once `cond` holds, re-checked on each turn of the event loop (no sleeps). */
async function until(cond: () => boolean, what: string) {
  for (let i = 0; i < 2000; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never: ${what}`);
}

describe("the load manager", () => {
  let handle: DbHandle;
  let agent: FakeAgent;
  let fleet: Fleet;
  let deployments: Deployments;
  let api: ReturnType<typeof createApi>;
  let now = 1_000_000;
  // Every model takes 60 MiB; the node's CPU budget is 100 MiB: one fits, two do not.
  const fit: FitEstimator = async () => ({ fits: null, totalBytes: 60 * MiB, perGpuBytes: [], weightsBytes: 50 * MiB });

  const call = apiCaller(() => api, ADMIN);
  const register = (name: string, extra: Record<string, unknown> = {}) =>
    call("POST", "/api/deployments", { engine: "llamacpp", model: `/m/${name}.gguf`, name, gpus: "none", onDemand: { idleTimeoutS: 60, ...extra } });
  const view = (name: string) => deployments.get(name);
  const idOf = (name: string) => view(name).id;
  /** A lease for `name` the way the gateway takes one, with the agent answering "ready" to its start. */
  const leaseReady = async (name: string) => {
    const leased = deployments.ondemand.leaseWhenReady(idOf(name));
    await until(() => view(name).state === "loading" && agent.requests.some((r) => r.action === DEPLOY_ACTIONS.create && r.payload.name === name && !readied.has(r)), `${name} started`);
    const req = agent.requests.filter((r) => r.action === DEPLOY_ACTIONS.create && r.payload.name === name).at(-1)!;
    readied.add(req);
    await agent.ready(req.payload.id, name, now);
    return leased;
  };
  const readied = new Set<unknown>();
  const apiFor = async (core: Deployments) => createApi({
    auth: await createAuth(settingsRepo(handle), { adminToken: ADMIN }), sessions: createSessions(sessionsRepo(handle)), fleet,
    history: createHistory(samplesRepo(handle)), isReady: () => true,
    hubStats: () => ({ connected: 1, messages: 0, malformed: 0, refused: 0, liveClients: 0 }), deployments: { core, secrets: createSecrets(settingsRepo(handle)) },
  });

  beforeEach(async () => {
    handle = openMemoryDatabase();
    agent = new FakeAgent();
    fleet = await createFleet(nodesRepo(handle));
    const id = await fleet.connect({ name: "box1", agentVersion: "0.1.0", facts: { hostname: "box1", os: "linux", arch: "x64", cpuModel: null, cpuCores: 2, memTotalBytes: 8e9, cpuMemoryBytes: 100 * MiB } });
    await fleet.ingest(id, [sample(Date.now())]);
    deployments = await createDeployments({ repo: deploymentsRepo(handle), fleet, hub: agent, secrets: createSecrets(settingsRepo(handle)), fit, now: () => now });
    api = await apiFor(deployments);
  });
  afterEach(async () => {
    await deployments.close();
    readied.clear();
  });

  it("registers without starting anything: standby, routable by name, nothing asked of the node", async () => {
    const res = await register("tiny");
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: "tiny", state: "standby", node: "box1", gpus: [], endpoint: null, onDemand: { idleTimeoutS: 60, loadTimeoutS: 600, unload: "remove", placedAtLoad: true } });
    expect(agent.requests).toEqual([]);
    expect(deployments.listRoutableBackends()).toEqual([expect.objectContaining({ name: "tiny", url: "", ready: false, onDemand: { id: res.json.id, warm: false } })]);
  });

  it("starts once for every request that arrives while it loads, and leases each once it is ready", async () => {
    await register("tiny");
    const id = idOf("tiny");
    const leases = Array.from({ length: 5 }, () => deployments.ondemand.leaseWhenReady(id));
    await until(() => agent.count(DEPLOY_ACTIONS.create) === 1, "one start");
    expect(view("tiny").state).toBe("loading");
    expect(view("tiny").onDemand?.waiting).toBe(5);
    await agent.ready(id, "tiny", now);
    const releases = await Promise.all(leases);
    expect(agent.count(DEPLOY_ACTIONS.create)).toBe(1);
    expect(view("tiny")).toMatchObject({ state: "ready", endpoint: "http://10.0.0.5:18080", onDemand: { inFlight: 5, waiting: 0 } });
    expect(deployments.ondemand.tryLease(id)).not.toBeNull();
    for (const r of releases) r();
  });

  it("swaps: a start that does not fit the budget unloads the idle one first", async () => {
    await register("a");
    await register("b");
    (await leaseReady("a"))();
    now += 1000;
    const leased = leaseReady("b");
    (await leased)();
    const actions = agent.requests.map((r) => `${r.action}:${r.payload.name ?? r.payload.id}`);
    expect(actions).toEqual([`${DEPLOY_ACTIONS.create}:a`, `${DEPLOY_ACTIONS.stop}:${idOf("a")}`, `${DEPLOY_ACTIONS.create}:b`]);
    expect(view("a")).toMatchObject({ state: "standby", endpoint: null });
    expect(view("b").state).toBe("ready");
  });

  it("never unloads a deployment with a request in flight: the other start waits until its response ends", async () => {
    await register("a");
    await register("b");
    const streaming = await leaseReady("a");
    const leasedB = deployments.ondemand.leaseWhenReady(idOf("b"));
    await until(() => view("b").onDemand?.loadingSince !== null, "b loading");
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(agent.count(DEPLOY_ACTIONS.stop)).toBe(0);
    expect(agent.count(DEPLOY_ACTIONS.create)).toBe(1);
    streaming(); // the long stream ends
    await until(() => agent.count(DEPLOY_ACTIONS.create) === 2, "b started after a's stream");
    await agent.ready(idOf("b"), "b", now);
    (await leasedB)();
    expect(view("a").state).toBe("standby");
  });

  it("two loads racing for one budget do not both start: the second waits its turn, then unloads the first once idle", async () => {
    await register("a");
    await register("b");
    const leasedA = deployments.ondemand.leaseWhenReady(idOf("a"));
    const leasedB = deployments.ondemand.leaseWhenReady(idOf("b"));
    await until(() => agent.count(DEPLOY_ACTIONS.create) === 1, "one start");
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(agent.count(DEPLOY_ACTIONS.create)).toBe(1); // b waits while a loads
    const first = agent.requests.find((r) => r.action === DEPLOY_ACTIONS.create)!.payload;
    await agent.ready(first.id, first.name, now);
    const firstLease = await (first.name === "a" ? leasedA : leasedB);
    firstLease(); // its request is answered: it is idle, and the other one's start can unload it
    await until(() => agent.count(DEPLOY_ACTIONS.create) === 2, "the second start");
    const second = agent.requests.filter((r) => r.action === DEPLOY_ACTIONS.create)[1]!.payload;
    expect(second.name).not.toBe(first.name);
    expect(agent.requests.map((r) => r.action)).toEqual([DEPLOY_ACTIONS.create, DEPLOY_ACTIONS.stop, DEPLOY_ACTIONS.create]);
    await agent.ready(second.id, second.name, now);
    (await (second.name === "a" ? leasedA : leasedB))();
  });

  it("a start that fails answers every waiter with the cause and the engine's last lines, and leaves it standby", async () => {
    await register("crashy");
    const id = idOf("crashy");
    const waiters = [deployments.ondemand.leaseWhenReady(id), deployments.ondemand.leaseWhenReady(id)];
    await until(() => agent.count(DEPLOY_ACTIONS.create) === 1, "started");
    await agent.report({ id, name: "crashy", state: "failed", reason: "the engine exited with code 1", logs: ["error: unknown model architecture"], containerId: null });
    const results = await Promise.allSettled(waiters);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      const err = (r as PromiseRejectedResult).reason as LoadError;
      expect(err).toBeInstanceOf(LoadError);
      expect(err.why).toBe("failed");
      expect(err.message).toMatch(/crashy failed to start on box1: the engine exited with code 1/);
      expect(err.logs).toEqual(["error: unknown model architecture"]);
    }
    expect(view("crashy")).toMatchObject({ state: "standby", reason: expect.stringMatching(/last load failed/), onDemand: { lastLoad: { ok: false } } });
    // The next request tries again.
    agent.createAnswer = () => new ServiceError("bad_request", "image nope:latest is not on box1");
    await expect(deployments.ondemand.leaseWhenReady(id)).rejects.toThrow(/image nope:latest is not on box1/);
  });

  it("a start that outlives --load-timeout answers every waiter with a timeout and the engine's last lines, stops it and leaves it standby", async () => {
    await register("slow", { loadTimeoutS: 1 });
    const id = idOf("slow");
    const waiters = [deployments.ondemand.leaseWhenReady(id), deployments.ondemand.leaseWhenReady(id)];
    // The agent never reports it ready: the load's own timer (1 s) ends it.
    const results = await Promise.allSettled(waiters);
    expect(agent.count(DEPLOY_ACTIONS.create)).toBe(1);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      const err = (r as PromiseRejectedResult).reason as LoadError;
      expect(err).toBeInstanceOf(LoadError);
      expect(err.why).toBe("timeout");
      expect(err.message).toMatch(/slow did not become ready within its load timeout \(1 s; still \w+\)/);
      expect(err.logs).toEqual(["llama_model_load: loading", "error: out of memory"]);
    }
    await until(() => view("slow").state === "standby", "standby after the timeout");
    expect(agent.count(DEPLOY_ACTIONS.stop)).toBe(1);
    expect(view("slow").reason).toMatch(/last load failed: slow did not become ready/);
  });

  it("refuses at deploy time what could never fit, with the fit's reason; a load with no room says who holds it", async () => {
    const tooBig: FitEstimator = async () => ({ fits: null, totalBytes: 500 * MiB, perGpuBytes: [] });
    await deployments.close();
    deployments = await createDeployments({ repo: deploymentsRepo(handle), fleet, hub: agent, secrets: createSecrets(settingsRepo(handle)), fit: tooBig, now: () => now });
    api = await apiFor(deployments);
    const res = await register("huge");
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/huge can never fit .* needs 500 MiB of the CPU memory budget of box1 \(SWITCHYARD_CPU_MEMORY\), at most 100 MiB/);
    expect(deployments.list()).toEqual([]);
  });

  it("unloads after its idle timeout with nothing in flight (injected clock), and not before", async () => {
    await register("tiny");
    const release = await leaseReady("tiny");
    now += 120_000;
    await deployments.ondemand.housekeep();
    expect(agent.count(DEPLOY_ACTIONS.stop)).toBe(0); // in flight
    release();
    now += 59_000;
    await deployments.ondemand.housekeep();
    expect(view("tiny").state).toBe("ready");
    expect(view("tiny").onDemand?.idleUnloadAt).toBe(now + 1000);
    now += 1000;
    await deployments.ondemand.housekeep();
    expect(agent.count(DEPLOY_ACTIONS.stop)).toBe(1);
    expect(view("tiny")).toMatchObject({ state: "standby", endpoint: null });
  });

  it("keeps the last request time over a restart, so the idle timer resumes where it was", async () => {
    await register("tiny");
    (await leaseReady("tiny"))();
    const last = now;
    await deployments.ondemand.housekeep(); // writes it
    await deployments.close();
    now += 30_000;
    deployments = await createDeployments({ repo: deploymentsRepo(handle), fleet, hub: agent, secrets: createSecrets(settingsRepo(handle)), fit, now: () => now });
    expect(view("tiny")).toMatchObject({ state: "ready", onDemand: { lastRequestAt: last, idleUnloadAt: last + 60_000 } });
  });

  it("unload by hand and load by hand through REST; a pinned deployment has neither", async () => {
    await register("tiny");
    const loading = call("POST", "/api/deployments/tiny/load");
    await until(() => agent.count(DEPLOY_ACTIONS.create) === 1, "started");
    await agent.ready(idOf("tiny"), "tiny", now);
    expect((await loading).json).toMatchObject({ state: "ready" });
    expect((await call("POST", "/api/deployments/tiny/unload")).json).toMatchObject({ state: "standby" });
    expect((await call("POST", "/api/deployments/tiny/load?wait=0")).status).toBe(202);
    await call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/pinned.gguf", name: "pinned", gpus: "none" });
    expect((await call("POST", "/api/deployments/pinned/unload")).json.error.message).toMatch(/always runs/);
    expect((await call("POST", "/api/deployments/nope/load")).status).toBe(404);
  });

  it("a container gone from the node turns an on-demand deployment standby, not failed", async () => {
    await register("tiny");
    (await leaseReady("tiny"))();
    await agent.announce([]);
    expect(view("tiny")).toMatchObject({ state: "standby", endpoint: null } satisfies Partial<DeploymentView>);
  });
});
