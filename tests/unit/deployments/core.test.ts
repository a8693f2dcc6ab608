/**
 * The deployments core through its REST adapter, on in-memory SQLite with the real migrations and
 * a scripted agent link: what the server records and answers, what it sends agents, how it
 * reconciles what they announce, and that secrets never come back out.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEPLOY_ACTIONS, DEPLOY_EVENTS, type DeploymentReportInput, type DeploymentView, type DeploySpec } from "../../../protocol/deployments";
import { createApi } from "../../../server/api/app";
import { createAuth } from "../../../server/core/auth";
import { createSessions } from "../../../server/core/sessions";
import { sessionsRepo } from "../../../server/db/repos/sessions-repo";
import { createDeployments, type Deployments } from "../../../server/core/deployments";
import type { FitEstimator } from "../../../server/core/deployments/fit-hook";
import { AgentUnansweredError, ServiceError } from "../../../server/core/errors";
import { createFleet, type Fleet } from "../../../server/core/fleet";
import { createHistory } from "../../../server/core/history";
import { createSecrets, type Secrets } from "../../../server/core/secrets";
import { openMemoryDatabase, type DbHandle } from "../../../server/db/client";
import { deploymentsRepo } from "../../../server/db/repos/deployments-repo";
import { nodesRepo } from "../../../server/db/repos/nodes-repo";
import { samplesRepo } from "../../../server/db/repos/samples-repo";
import { settingsRepo } from "../../../server/db/repos/settings-repo";
import { gpu, sample } from "../../helpers/samples";
import { waitFor } from "../../helpers/wait";
import { apiCaller } from "../../helpers/api-call";

const ADMIN = "admin-token-for-tests";
const facts = { hostname: "box1", os: "linux", arch: "x64", cpuModel: null, cpuCores: 2, memTotalBytes: 8e9 };
type Listener = (node: { id: string; name: string }, event: string, payload: unknown) => void | Promise<void>;

/** A scripted agent link: records requests, answers with `answer`, pushes events on demand. */
class FakeHub {
  connected = new Set(["box1"]);
  requests: Array<{ node: string; action: string; payload: any }> = [];
  answer: (action: string, payload: any) => unknown = () => ({});
  private listeners = new Set<Listener>();
  async request(node: string, action: string, payload: unknown) {
    this.requests.push({ node, action, payload });
    if (!this.connected.has(node)) throw new ServiceError("unavailable", `node ${node} is offline`);
    return this.answer(action, payload);
  }
  isConnected = (node: string) => this.connected.has(node);
  remoteAddress = (node: string) => (node === "box1" ? "10.0.0.5" : null);
  onEvent(l: Listener) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  async emit(event: string, payload: unknown) {
    // Events are applied in order, asynchronously: wait until this one is.
    await Promise.all([...this.listeners].map((l) => l({ id: "n1", name: "box1" }, event, payload)));
  }
}

const report = (spec: Pick<DeploySpec, "id" | "name">, over: Partial<DeploymentReportInput> = {}): DeploymentReportInput => ({
  id: spec.id, name: spec.name, state: "starting", containerId: "c-1", port: 18080, seq: 1, ...over,
});

describe("deployments core and REST API", () => {
  let handle: DbHandle;
  let hub: FakeHub;
  let fleet: Fleet;
  let secrets: Secrets;
  let deployments: Deployments;
  let api: ReturnType<typeof createApi>;
  let fit: FitEstimator | null = null;

  const call = apiCaller(() => api, ADMIN);

  const start = async () => {
    deployments = await createDeployments({ repo: deploymentsRepo(handle), fleet, hub, secrets, fit });
    const auth = await createAuth(settingsRepo(handle), { adminToken: ADMIN });
    api = createApi({
      auth, sessions: createSessions(sessionsRepo(handle)), fleet, history: createHistory(samplesRepo(handle)), isReady: () => true,
      hubStats: () => ({ connected: 1, messages: 0, malformed: 0, refused: 0, liveClients: 0 }),
      deployments: { core: deployments, secrets },
    });
  };

  beforeEach(async () => {
    handle = openMemoryDatabase();
    hub = new FakeHub();
    fleet = await createFleet(nodesRepo(handle));
    const id = await fleet.connect({ name: "box1", agentVersion: "0.1.0", facts });
    await fleet.ingest(id, [sample(Date.now())]); // GPUs 0 and 1
    secrets = createSecrets(settingsRepo(handle));
    hub.answer = (action, payload) => (action === DEPLOY_ACTIONS.create ? report(payload) : {});
    await start();
  });
  afterEach(() => {
    deployments.close();
    fit = null;
  });

  it("deploys: places it, sends the agent the spec with the HF token, answers the deployment as it starts", async () => {
    expect((await call("PUT", "/api/secrets/hf-token", { value: "hf_secret_value" })).status).toBe(204);
    const res = await call("POST", "/api/deployments", { engine: "vllm", model: "Qwen/Qwen3-8B", gpus: "1", ctx: 8192 });
    expect(res.status).toBe(201);
    const view = res.json as DeploymentView;
    expect(view).toMatchObject({
      name: "qwen3-8b", node: "box1", engine: "vllm", gpus: [1], state: "starting", port: 18080,
      endpoint: "http://10.0.0.5:18080", servedName: "qwen3-8b", image: "vllm/vllm-openai:latest", ctx: 8192,
    });
    const sent = hub.requests.find((r) => r.action === DEPLOY_ACTIONS.create)!.payload as DeploySpec;
    expect(sent).toMatchObject({ engine: "vllm", model: { kind: "hf", repo: "Qwen/Qwen3-8B" }, gpus: [1], secrets: { hfToken: "hf_secret_value" } });

    // The token is stored, never returned: not by the secrets route, not in any deployment view.
    expect((await call("GET", "/api/secrets")).json).toEqual({ hfToken: true });
    expect((await call("GET", "/api/deployments")).text).not.toContain("hf_secret_value");

    await hub.emit(DEPLOY_EVENTS.state, report(view, { state: "ready", seq: 3, readyAt: Date.now(), pids: [42] }));
    const ready = (await call("GET", "/api/deployments/qwen3-8b")).json as DeploymentView;
    expect(ready.state).toBe("ready");
    // VRAM really used: per-process telemetry (pid 42 holds 900 MiB in the sample) joined by PID.
    expect(ready.vramMiB).toBe(900);
    expect(deployments.listRoutableBackends()).toEqual([{ name: "qwen3-8b", url: "http://10.0.0.5:18080", api: "openai", model: "qwen3-8b", ready: true, apiKey: null }]);

    // An older report arriving late does not undo a newer one.
    await hub.emit(DEPLOY_EVENTS.state, report(view, { state: "loading", seq: 2 }));
    expect(deployments.get("qwen3-8b").state).toBe("ready");
  });

  it("keeps a deployment's API key server-side for the gateway and redeploys, never showing it, and forgets it on stop", async () => {
    const KEY = "sk-engine-key-123";
    const res = await call("POST", "/api/deployments", { engine: "vllm", model: "Qwen/Qwen3-8B", name: "keyed", options: { apiKey: KEY } });
    expect(res.status).toBe(201);
    const id = (res.json as DeploymentView).id;
    expect(hub.requests.find((r) => r.action === DEPLOY_ACTIONS.create)!.payload.options.apiKey).toBe(KEY);
    expect(deployments.listRoutableBackends()).toEqual([expect.objectContaining({ name: "keyed", apiKey: KEY })]);
    // Never in what REST clients and the dashboard see.
    for (const path of ["/api/deployments", "/api/deployments/keyed", "/api/secrets"]) expect((await call("GET", path)).text).not.toContain(KEY);
    expect(deployments.get("keyed").options?.apiKey).toBe("[redacted]");

    // Kept over a server restart; a deployment whose container is gone is deployed again with it.
    deployments.close();
    await start();
    expect(deployments.listRoutableBackends()[0]?.apiKey).toBe(KEY);
    await hub.emit(DEPLOY_EVENTS.state, report({ id, name: "keyed" }, { state: "failed", containerId: null, seq: 9, reason: "the engine exited with code 1" }));
    const again = await call("POST", "/api/deployments/keyed/restart");
    expect(again.status, again.text).toBe(200);
    expect(hub.requests.at(-1)).toMatchObject({ action: DEPLOY_ACTIONS.create, payload: { id, options: { apiKey: KEY } } });

    expect((await call("DELETE", "/api/deployments/keyed")).status).toBe(200);
    expect(await secrets.deploymentApiKey(id)).toBeNull();
  });

  it("a deploy the agent did not answer (timeout) is stopped on the node, not left to be adopted later", async () => {
    hub.answer = (action) => {
      if (action === DEPLOY_ACTIONS.create) throw new AgentUnansweredError("node box1 did not answer 'deployment.create' within 60 s");
      return { removed: true };
    };
    const res = await call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/a.gguf", name: "a", gpus: "none" });
    expect(res.status).toBe(503);
    const created = hub.requests.find((r) => r.action === DEPLOY_ACTIONS.create)!.payload as DeploySpec;
    expect(hub.requests.at(-1)).toMatchObject({ action: DEPLOY_ACTIONS.stop, payload: { id: created.id } });
    expect(deployments.list()).toEqual([]);

    // The stop cannot get through either: the record stays, wanted stopped, and the container the
    // agent went on to start is stopped when it announces it, not adopted.
    hub.answer = (action) => {
      throw new AgentUnansweredError(`node box1 did not answer '${action}' within 60 s`);
    };
    expect((await call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/b.gguf", name: "b", gpus: "none" })).status).toBe(503);
    const b = hub.requests.filter((r) => r.action === DEPLOY_ACTIONS.create).at(-1)!.payload as DeploySpec;
    expect(deployments.get("b")).toMatchObject({ desired: "stopped", state: "stopping" });
    hub.answer = () => ({ removed: true });
    const spec = { ...b, secrets: undefined };
    await hub.emit(DEPLOY_EVENTS.announce, { reports: [{ ...report(b, { state: "ready" }), spec }] });
    expect(hub.requests.at(-1)).toMatchObject({ action: DEPLOY_ACTIONS.stop, payload: { id: b.id } });
    expect(deployments.list()).toEqual([]);
  });

  it("a stop while the deploy is still being asked for waits for its answer, then stops what it started", async () => {
    let answerCreate!: () => void;
    let createAnswered = false;
    let stopAfterCreate: boolean | null = null;
    hub.answer = (action, payload) => {
      if (action === DEPLOY_ACTIONS.create) {
        return new Promise((resolve) => (answerCreate = () => {
          createAnswered = true;
          resolve(report(payload));
        }));
      }
      if (action === DEPLOY_ACTIONS.stop) stopAfterCreate = createAnswered;
      return { removed: true };
    };
    const deploying = call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/a.gguf", name: "a", gpus: "none" });
    await waitFor("the create to be asked of the agent", () => hub.requests.some((r) => r.action === DEPLOY_ACTIONS.create));
    expect(deployments.get("a").state).toBe("pending");
    const stopping = call("DELETE", "/api/deployments/a");
    // The stop marks the record, then waits for the create's answer.
    await waitFor("the stop to be under way", () => deployments.get("a").state === "stopping");
    expect(stopAfterCreate).toBeNull(); // not sent yet: it would find nothing on the node
    answerCreate();
    expect((await deploying).status).toBe(201);
    expect((await stopping).json).toMatchObject({ removed: true });
    expect(stopAfterCreate).toBe(true);
    expect(deployments.list()).toEqual([]);
  });

  it("answers bad input with the reason, and keeps nothing of a deploy the agent refused", async () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [{ engine: "tgi", model: "a/b" }, 400, /unknown engine 'tgi': use one of vllm, sglang, llamacpp/],
      [{ engine: "vllm", model: "a/b", gpus: "7" }, 400, /GPU 7 is not on node box1 \(it has 0, 1\)/],
      [{ engine: "vllm", model: "a/b", node: "box9" }, 400, /no node named 'box9' \(known: box1\)/],
      [{ engine: "vllm", model: "rel/x.gguf" }, 400, /must be absolute/],
      [{ engine: "vllm", model: "a/b", name: "Bad Name" }, 400, /name 'Bad Name' must be lowercase/],
      [{ engine: "vllm" }, 400, /model/],
    ];
    for (const [body, status, message] of cases) {
      const res = await call("POST", "/api/deployments", body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.json.error.message).toMatch(message);
    }
    hub.answer = () => {
      throw new ServiceError("bad_request", "model file /m/x.gguf does not exist on box1");
    };
    const refused = await call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/x.gguf", gpus: "none" });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toBe("model file /m/x.gguf does not exist on box1");
    expect((await call("GET", "/api/deployments")).json).toEqual([]);
  });

  it("keeps deployments over a server restart, and reconciles with what the agent announces", async () => {
    await call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/a.gguf", name: "a", gpus: "none" });
    await call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/b.gguf", name: "b", gpus: "none" });
    deployments.close();
    await start(); // same database, new process state
    expect(deployments.list().map((d) => [d.name, d.state])).toEqual([["a", "starting"], ["b", "starting"]]);

    const a = deployments.get("a");
    const orphanSpec = {
      id: "x-1", name: "adopted", engine: "llamacpp", model: { kind: "gguf", path: "/m/c.gguf" }, image: "img", gpus: [],
      servedName: "adopted", extraArgs: [], options: {}, restart: "no",
    };
    // After its restart the agent runs a (ready), not b (gone), and one the server never recorded.
    await hub.emit(DEPLOY_EVENTS.announce, {
      reports: [report(a, { state: "ready", seq: 0 }), { ...report({ id: "x-1", name: "adopted" }, { state: "ready", port: 18081 }), spec: orphanSpec }],
    });
    expect(deployments.get("a").state).toBe("ready");
    expect(deployments.get("b")).toMatchObject({ state: "failed", reason: expect.stringMatching(/container is gone from box1/) });
    expect(deployments.get("adopted")).toMatchObject({ state: "ready", endpoint: "http://10.0.0.5:18081" });
  });

  it("stops: asks the agent, then forgets it; while the node is offline, the stop waits for the agent", async () => {
    await call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/a.gguf", name: "a", gpus: "none" });
    const stopped = await call("DELETE", "/api/deployments/a");
    expect(stopped).toMatchObject({ status: 200, json: { removed: true } });
    expect(hub.requests.at(-1)).toMatchObject({ action: DEPLOY_ACTIONS.stop });
    expect((await call("GET", "/api/deployments/a")).status).toBe(404);

    await call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/b.gguf", name: "b", gpus: "none" });
    const b = deployments.get("b");
    hub.connected.delete("box1");
    const pending = await call("DELETE", "/api/deployments/b");
    expect(pending.status).toBe(202);
    expect(pending.json.message).toMatch(/node box1 is offline: b will be stopped and removed when its agent reconnects/);
    hub.connected.add("box1");
    await hub.emit(DEPLOY_EVENTS.announce, { reports: [report(b, { state: "ready" })] });
    expect(hub.requests.at(-1)).toMatchObject({ action: DEPLOY_ACTIONS.stop, payload: { id: b.id } });
    expect(deployments.list()).toEqual([]);
  });

  it("streams logs as server-sent events, lines first, then the end", async () => {
    await call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/a.gguf", name: "a", gpus: "none" });
    hub.answer = (action, payload) => {
      if (action === DEPLOY_ACTIONS.logs) return { lines: ["one", "two"] };
      if (action === DEPLOY_ACTIONS.follow) {
        setTimeout(() => {
          void hub.emit(DEPLOY_EVENTS.log, { streamId: payload.streamId, lines: ["live 1", "live 2"] })
            .then(() => hub.emit(DEPLOY_EVENTS.logEnd, { streamId: payload.streamId, reason: "the container stopped" }));
        }, 10);
        return { following: true };
      }
      return {};
    };
    expect((await call("GET", "/api/deployments/a/logs?tail=2")).text).toBe("one\ntwo\n");
    const sse = await call("GET", "/api/deployments/a/logs?follow=1");
    expect(sse.status).toBe(200);
    expect(sse.text).toContain("data: live 1\n\ndata: live 2\n\n");
    expect(sse.text).toContain("event: end\ndata: the container stopped");
    expect((await call("GET", "/api/deployments/nope/logs")).status).toBe(404);
  });

  it("asks the fit estimate which GPUs a model fits, and warns (but deploys) when none fits", async () => {
    const asked: number[][] = [];
    fit = async (q) => {
      asked.push(q.gpus.map((g) => g.index));
      return { fits: q.model.kind === "hf" && q.model.repo === "big/model" ? false : q.gpus[0]!.index === 1, totalBytes: 1 };
    };
    deployments.close();
    await start();
    // GPU 0 has the most free memory in the sample, so it is tried first; the estimate moves on to GPU 1.
    const fits = await call("POST", "/api/deployments", { engine: "vllm", model: "small/model" });
    expect(fits.json).toMatchObject({ gpus: [1], warnings: [] });
    expect(asked).toEqual([[0], [1]]);
    const tooBig = await call("POST", "/api/deployments", { engine: "vllm", model: "big/model" });
    expect(tooBig.status).toBe(201);
    expect(tooBig.json.warnings[0]).toMatch(/the fit estimate says this does not fit on box1 GPUs 0 .*; deploying anyway/);
  });

  it("does not ask the fit estimate about a GPU whose memory is unknown (no false 'does not fit')", async () => {
    const id = await fleet.connect({ name: "mig1", agentVersion: "0.1.0", facts });
    await fleet.ingest(id, [sample(Date.now(), { gpus: [gpu(0, { memTotalMiB: null, memUsedMiB: null })], processes: [] })]);
    hub.connected.add("mig1");
    const asked: number[][] = [];
    fit = async (q) => {
      asked.push(q.gpus.map((g) => g.totalBytes));
      return { fits: false, totalBytes: 1 };
    };
    deployments.close();
    await start();
    const res = await call("POST", "/api/deployments", { engine: "vllm", model: "a/b", node: "mig1" });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ node: "mig1", gpus: [0], warnings: [] });
    expect(asked).toEqual([]);
  });

  it("restarts the container; a failed deploy with no container left is deployed again", async () => {
    await call("POST", "/api/deployments", { engine: "llamacpp", model: "/m/a.gguf", name: "a", gpus: "none" });
    hub.answer = (action, payload) => (action === DEPLOY_ACTIONS.restart ? report({ id: payload.id, name: "a" }, { state: "starting", restarts: 1, seq: 5 }) : report(payload));
    expect((await call("POST", "/api/deployments/a/restart")).json).toMatchObject({ state: "starting", restarts: 1 });
    expect(hub.requests.at(-1)?.action).toBe(DEPLOY_ACTIONS.restart);

    await hub.emit(DEPLOY_EVENTS.state, report(deployments.get("a"), { state: "failed", containerId: null, seq: 9, reason: "the engine exited with code 1" }));
    const again = await call("POST", "/api/deployments/a/restart");
    expect(again.status, again.text).toBe(200);
    expect(again.json.state).toBe("starting");
    expect(hub.requests.at(-1)).toMatchObject({ action: DEPLOY_ACTIONS.create, payload: { id: deployments.get("a").id, name: "a", model: { path: "/m/a.gguf" } } });
  });
});
