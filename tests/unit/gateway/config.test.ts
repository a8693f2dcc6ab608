import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../../server/gateway/config/load";
import { ConfigError } from "../../../server/config/env";

const CONTRACT_EXAMPLE = `apiKeys:                      # gateway keys; the UI can add more
  - name: laptop
    key: sk-example-123        # or \${ENV_VAR}
backends:                     # endpoints not deployed by Switchyard (cloud, hand-run servers)
  - name: cloud
    url: https://api.anthropic.com   # base URL, without /v1
    api: anthropic            # the protocol the backend speaks: openai | anthropic
    apiKey: \${ANTHROPIC_API_KEY}
  - name: box2
    url: http://192.168.1.20:8000
    api: openai
routes:                       # what clients ask for -> where it goes
  - model: claude-sonnet-4-5
    targets: [cloud/claude-sonnet-4-5, box2/glm-4.5-air]   # backend/model, tried in order
`;

function errorOf(text: string, env: Record<string, string> = {}): string {
  try {
    parseConfigText(text, "sy.yaml", env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("config file", () => {
  it("reads the contract's example, substituting ${ENV}", () => {
    const cfg = parseConfigText(CONTRACT_EXAMPLE, "sy.yaml", { ANTHROPIC_API_KEY: "sk-ant-secret-1" });
    expect(cfg.apiKeys).toEqual([{ name: "laptop", key: "sk-example-123" }]);
    expect(cfg.backends[0]).toMatchObject({ name: "cloud", url: "https://api.anthropic.com", api: "anthropic", apiKey: "sk-ant-secret-1" });
    expect(cfg.backends[1]).toMatchObject({ name: "box2", url: "http://192.168.1.20:8000", api: "openai" });
    expect(cfg.routes).toEqual([{ model: "claude-sonnet-4-5", targets: ["cloud/claude-sonnet-4-5", "box2/glm-4.5-air"] }]);
  });

  it("starts without the cloud key set (the backend just has none)", () => {
    const cfg = parseConfigText(CONTRACT_EXAMPLE, "sy.yaml", {});
    expect(cfg.backends[0]!.apiKey).toBe("");
  });

  it("substitutes inside values only, so a secret with YAML syntax cannot change the document", () => {
    const cfg = parseConfigText("apiKeys:\n  - name: a\n    key: ${K}\n", "sy.yaml", { K: "x: y # not a comment" });
    expect(cfg.apiKeys[0]!.key).toBe("x: y # not a comment");
  });

  it("supports ${VAR:-default}", () => {
    const cfg = parseConfigText("backends:\n  - name: b\n    url: ${URL:-http://127.0.0.1:8080}\n    api: openai\n", "sy.yaml", {});
    expect(cfg.backends[0]!.url).toBe("http://127.0.0.1:8080");
  });

  it("accepts equal-rank target groups", () => {
    const cfg = parseConfigText("routes:\n  - model: m\n    targets: [[a/x, b/x], cloud/y]\n", "sy.yaml");
    expect(cfg.routes[0]!.targets).toEqual([["a/x", "b/x"], "cloud/y"]);
  });

  it("names the file, line and field of a bad value", () => {
    const msg = errorOf("backends:\n  - name: cloud\n    url: https://api.anthropic.com\n    api: anthropic\n  - name: box2\n    url: not a url\n    api: openai\n");
    expect(msg).toContain("sy.yaml:6 backends[1].url: must be an http(s) URL");
  });

  it("names an unset variable when the field it fills is required", () => {
    const msg = errorOf("apiKeys:\n  - name: laptop\n    key: ${LAPTOP_KEY}\n");
    expect(msg).toContain("sy.yaml:3 apiKeys[0].key");
    expect(msg).toContain("the variable LAPTOP_KEY is not set");
  });

  it("rejects a target without a backend, unknown fields, duplicates", () => {
    expect(errorOf("routes:\n  - model: m\n    targets: [just-a-model]\n")).toMatch(/sy\.yaml:3 routes\[0\]\.targets\[0\]: must be BACKEND\/MODEL/);
    expect(errorOf("routes:\n  - model: m\n    target: [a/b]\n")).toMatch(/sy\.yaml:2 routes\[0\]/);
    expect(errorOf("backends:\n  - {name: a, url: 'http://x:1', api: openai}\n  - {name: a, url: 'http://y:1', api: openai}\n")).toContain("'a' appears twice in backends");
    expect(errorOf("backends:\n  - {name: a, url: 'http://x:1', api: grpc}\n")).toContain("backends[0].api: must be openai or anthropic");
  });

  it("reports YAML syntax errors with their line", () => {
    expect(errorOf("routes:\n  - model: m\n    targets: [a/b\n")).toMatch(/sy\.yaml:\d+ /);
  });

  it("an empty file is an empty config", () => {
    expect(parseConfigText("", "sy.yaml")).toEqual({ apiKeys: [], backends: [], routes: [], gateway: {}, alerts: { channels: [], rules: [] } });
  });
});
