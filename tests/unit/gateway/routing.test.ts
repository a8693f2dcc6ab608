import { describe, expect, it } from "vitest";
import { planAttempts, type Availability } from "../../../server/gateway/routing/plan";
import { parseTarget, resolveModel, routableModels, type RouteInputs } from "../../../server/gateway/routing/route-table";

const inputs: RouteInputs = {
  configRoutes: [
    { model: "claude-sonnet-4-5", targets: ["cloud/claude-sonnet-4-5", "box2/glm-4.5-air"] },
    { model: "claude-haiku-4-5", targets: [["box1/qwen3-8b", "box2/qwen3-8b"], "cloud/claude-haiku-4-5"] },
  ],
  uiRoutes: [{ model: "claude-sonnet-4-5", targets: ["box1/shadowed"] }, { model: "coder", targets: ["box1/qwen-coder"] }],
  backends: new Map([["cloud", {}], ["box1", {}], ["box2", {}], ["glm-air", { deploymentModel: "zai-org/GLM-4.5-Air" }]]),
};

describe("route table", () => {
  it("splits BACKEND/MODEL at the first slash (models may be HF ids)", () => {
    expect(parseTarget("box2/zai-org/GLM-4.5-Air")).toEqual({ backend: "box2", model: "zai-org/GLM-4.5-Air", id: "box2/zai-org/GLM-4.5-Air" });
    expect(parseTarget("nobackend")).toBeNull();
    expect(parseTarget("/x")).toBeNull();
  });

  it("maps an alias to its ordered targets; the config file wins over the dashboard", () => {
    const r = resolveModel("claude-sonnet-4-5", inputs)!;
    expect(r.source).toBe("config");
    expect(r.tiers.map((t) => t.map((x) => x.id))).toEqual([["cloud/claude-sonnet-4-5"], ["box2/glm-4.5-air"]]);
    expect(resolveModel("coder", inputs)?.source).toBe("ui");
  });

  it("keeps equal-rank groups together", () => {
    expect(resolveModel("claude-haiku-4-5", inputs)!.tiers.map((t) => t.length)).toEqual([2, 1]);
  });

  it("routes a deployment by its name to its served model", () => {
    expect(resolveModel("glm-air", inputs)).toEqual({ model: "glm-air", source: "deployment", tiers: [[{ backend: "glm-air", model: "zai-org/GLM-4.5-Air", id: "glm-air/zai-org/GLM-4.5-Air" }]] });
  });

  it("accepts a literal BACKEND/MODEL for a known backend, nothing else", () => {
    expect(resolveModel("box1/anything", inputs)?.source).toBe("direct");
    expect(resolveModel("nowhere/anything", inputs)).toBeNull();
    expect(resolveModel("gpt-9", inputs)).toBeNull();
  });

  it("lists routable models: routes, then deployments", () => {
    expect(routableModels(inputs)).toEqual(["claude-sonnet-4-5", "claude-haiku-4-5", "coder", "glm-air"]);
  });
});

describe("attempt plan", () => {
  const state = (avail: Record<string, Availability>, load: Record<string, number> = {}) => ({
    availability: (b: string) => avail[b] ?? null,
    outstanding: (b: string) => load[b] ?? 0,
  });
  const tiers = resolveModel("claude-haiku-4-5", inputs)!.tiers;
  const ids = (p: Array<{ id: string }>) => p.map((t) => t.id);

  it("tries tiers in order", () => {
    expect(ids(planAttempts(resolveModel("claude-sonnet-4-5", inputs)!.tiers, state({ cloud: "up", box2: "up" })))).toEqual(["cloud/claude-sonnet-4-5", "box2/glm-4.5-air"]);
  });

  it("balances a tier by fewest outstanding requests", () => {
    expect(ids(planAttempts(tiers, state({ box1: "up", box2: "up", cloud: "up" }, { box1: 5, box2: 1 })))).toEqual(["box2/qwen3-8b", "box1/qwen3-8b", "cloud/claude-haiku-4-5"]);
    expect(ids(planAttempts(tiers, state({ box1: "up", box2: "up", cloud: "up" }, { box1: 0, box2: 3 })))).toEqual(["box1/qwen3-8b", "box2/qwen3-8b", "cloud/claude-haiku-4-5"]);
  });

  it("rotates ties so idle equal backends share the load", () => {
    const s = state({ box1: "up", box2: "up", cloud: "up" });
    expect(planAttempts(tiers, s, 0)[0]!.backend).toBe("box1");
    expect(planAttempts(tiers, s, 1)[0]!.backend).toBe("box2");
  });

  it("moves unavailable targets to the end as a last resort, and drops unknown backends", () => {
    const plan = planAttempts(tiers, state({ box1: "down", box2: "trial", cloud: "up" }));
    expect(ids(plan)).toEqual(["box2/qwen3-8b", "cloud/claude-haiku-4-5", "box1/qwen3-8b"]);
    expect(plan.map((t) => t.availability)).toEqual(["trial", "up", "down"]);
    expect(ids(planAttempts(tiers, state({ cloud: "up" })))).toEqual(["cloud/claude-haiku-4-5"]);
  });

  it("prefers a healthy target over a half-open one in the same tier", () => {
    expect(ids(planAttempts(tiers, state({ box1: "trial", box2: "up", cloud: "up" }, { box2: 10 })))[0]).toBe("box2/qwen3-8b");
  });
});
