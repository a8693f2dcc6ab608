/** The dashboard's pure parts for models on demand: the deploy form's policy, and who holds a GPU's memory. */
import { describe, expect, it } from "vitest";
import type { DeploymentView } from "../../../protocol/deployments";
import { emptyForm, formToBody } from "../../../app/lib/deploy-form";
import { gpuHolders } from "../../../app/lib/gpu-holders";

const MiB = 1024 ** 2;

describe("the deploy form on demand", () => {
  it("adds the policy only when asked, with the idle timeout as typed", () => {
    expect(formToBody({ ...emptyForm, model: "/m/x.gguf" }).body?.onDemand).toBeUndefined();
    const { body } = formToBody({ ...emptyForm, model: "/m/x.gguf", onDemand: true, idleTimeout: "1h30m", preload: true });
    expect(body?.onDemand).toEqual({ idleTimeoutS: 5400, preload: true });
    expect(formToBody({ ...emptyForm, engine: "vllm", model: "a/b", onDemand: true, unload: "sleep" }).body?.onDemand).toEqual({ unload: "sleep" });
    // Sleep mode is vLLM's: for llama.cpp the choice is ignored rather than sent and refused.
    expect(formToBody({ ...emptyForm, model: "/m/x.gguf", onDemand: true, unload: "sleep" }).body?.onDemand).toEqual({});
    expect(formToBody({ ...emptyForm, model: "/m/x.gguf", onDemand: true, idleTimeout: "soon" }).errors.idleTimeout).toMatch(/duration/);
  });
});

describe("who holds a GPU's memory", () => {
  const d = (over: Partial<DeploymentView>): DeploymentView => ({
    id: over.name!, name: "x", node: "box", engine: "vllm", model: "m", image: "i", gpus: [0], state: "ready", desired: "running", reason: null,
    logs: [], port: 1, endpoint: null, servedName: "x", ctx: null, restart: "no", extraArgs: [], createdAt: 0, startedAt: 0, readyAt: 0,
    restarts: 0, progress: null, vramMiB: null, nodeOnline: true, warnings: [], ...over,
  });
  const onDemand = (over: Partial<NonNullable<DeploymentView["onDemand"]>>): DeploymentView["onDemand"] => ({
    idleTimeoutS: 60, loadTimeoutS: 60, unload: "remove", placedAtLoad: true, lastRequestAt: null, inFlight: 0, waiting: 0, idleUnloadAt: null,
    loadingSince: null, sleeping: false, estimate: null, held: null, lastLoad: null, ...over,
  });
  const gpu = { index: 0, memTotalMiB: 24_000, memUsedMiB: 20_000 };

  it("lists what runs there, and the standby ones whose estimate fits now or after unloading idle ones", () => {
    const list = [
      d({ name: "pinned", vramMiB: 8000 }),
      d({ name: "idle", vramMiB: 10_000, onDemand: onDemand({}) }),
      d({ name: "small", state: "standby", onDemand: onDemand({ estimate: { perGpuBytes: [3000 * MiB], cpuBytes: 0 } }) }),
      d({ name: "medium", state: "standby", onDemand: onDemand({ estimate: { perGpuBytes: [12_000 * MiB], cpuBytes: 0 } }) }),
      d({ name: "huge", state: "standby", onDemand: onDemand({ estimate: { perGpuBytes: [30_000 * MiB], cpuBytes: 0 } }) }),
      d({ name: "elsewhere", node: "other", vramMiB: 1 }),
      d({ name: "other-gpu", gpus: [1], vramMiB: 1 }),
    ];
    expect(gpuHolders({ name: "box" }, gpu, list)).toEqual({
      holding: [
        { name: "pinned", bytes: 8000 * MiB, onDemand: false, sleeping: false },
        { name: "idle", bytes: 10_000 * MiB, onDemand: true, sleeping: false },
      ],
      couldLoad: [{ name: "small", needBytes: 3000 * MiB, evicting: false }, { name: "medium", needBytes: 12_000 * MiB, evicting: true }],
    });
  });
});
