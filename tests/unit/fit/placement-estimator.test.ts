/** The fit service as the deployments' placement hook: same facts and verdicts as the fit page. */
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../lib/logger";
import { placementEstimator } from "../../../server/core/fit/placement-estimator";
import { createFitService } from "../../../server/core/fit/service";

const GiB = 2 ** 30;
const estimator = placementEstimator(createFitService({ fleet: { list: () => [] }, repo: null, hub: null }), createLogger("test"));

describe("placementEstimator", () => {
  it("judges a candidate GPU set on its free memory", async () => {
    const q = { engine: "vllm" as const, model: { kind: "hf" as const, repo: "Qwen/Qwen3-8B" }, ctx: 8192, tp: 1 };
    expect(await estimator({ ...q, gpus: [{ index: 0, totalBytes: 24 * GiB, freeBytes: 23 * GiB }] })).toMatchObject({ fits: true });
    // Same card, mostly held by another process: vLLM would refuse to start.
    expect(await estimator({ ...q, gpus: [{ index: 1, totalBytes: 24 * GiB, freeBytes: 6 * GiB }] })).toMatchObject({ fits: false });
    expect(await estimator({ ...q, tp: 2, gpus: [0, 1].map((index) => ({ index, totalBytes: 24 * GiB, freeBytes: 23 * GiB })) })).toMatchObject({ fits: true });
  });

  it("answers null when it cannot judge: the deploy goes by free VRAM alone", async () => {
    const gpus = [{ index: 0, totalBytes: 24 * GiB, freeBytes: 23 * GiB }];
    expect(await estimator({ engine: "vllm", model: { kind: "hf", repo: "acme/unknown" }, tp: 1, gpus })).toBeNull();
    expect(await estimator({ engine: "llamacpp", model: { kind: "gguf", path: "/not/here.gguf" }, tp: 1, gpus })).toBeNull();
  });

  it("judges no fit for a CPU deploy, but still warns about a context the model cannot take", async () => {
    const answer = await estimator({ engine: "llamacpp", model: { kind: "hf", repo: "Qwen/Qwen3-8B" }, ctx: 10_000_000, parallel: 1, tp: 1, gpus: [] });
    expect(answer?.fits).toBeNull();
    expect(answer?.warnings?.join(" ")).toMatch(/exceeds the model's trained context/);
  });
});
