/** The `alerts:` section of SWITCHYARD_CONFIG: the contract's example, ${ENV} in channel URLs, errors with their line. */
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../../server/gateway/config/load";

const CONTRACT_EXAMPLE = `
alerts:                       # in the SWITCHYARD_CONFIG file; the dashboard can add more
  channels:
    - name: phone
      url: ntfy://ntfy.sh/my-gpus    # ntfy; also discord://, slack://, smtp://… (the scheme picks the kind)
    - name: hook
      url: http://192.168.1.5:9000/switchyard   # http(s):// is a JSON webhook
  rules:
    - when: node-offline      # node-offline | gpu-temperature | gpu-memory | deployment-failed | backend-down | failover
      for: 30s                # how long the condition holds before it fires
      notify: [phone, hook]
    - when: gpu-temperature
      above: 85               # °C; for gpu-memory: percent used
      for: 60s
      notify: [phone]
`;

describe("alerts config", () => {
  it("reads the contract's example", () => {
    const cfg = parseConfigText(CONTRACT_EXAMPLE, "sy.yaml", {});
    expect(cfg.alerts.channels).toEqual([{ name: "phone", url: "ntfy://ntfy.sh/my-gpus" }, { name: "hook", url: "http://192.168.1.5:9000/switchyard" }]);
    expect(cfg.alerts.rules).toEqual([
      { when: "node-offline", for: 30_000, notify: ["phone", "hook"] },
      { when: "gpu-temperature", above: 85, for: 60_000, notify: ["phone"] },
    ]);
  });

  it("substitutes ${ENV} in channel URLs (secrets stay out of the file)", () => {
    const cfg = parseConfigText("alerts:\n  channels:\n    - name: chat\n      url: discord://${DISCORD_HOOK}\n  rules: []\n", "sy.yaml", { DISCORD_HOOK: "123/tok-en" });
    expect(cfg.alerts.channels[0]!.url).toBe("discord://123/tok-en");
  });

  it("says which line is wrong and why", () => {
    const text = "alerts:\n  channels:\n    - name: x\n      url: file:///etc/passwd\n  rules:\n    - when: gpu-temperature\n      notify: [nope]\n";
    expect(() => parseConfigText(text, "sy.yaml", {})).toThrow(/sy\.yaml:4 alerts\.channels\[0\]\.url: scheme 'file' is not a channel[\s\S]*sy\.yaml:7 alerts\.rules\[0\]\.notify\[0\]: no channel named 'nope'/);
  });
});

describe("the README's alerts example", () => {
  it("is a valid config, one channel per kind", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const block = /## Alerts[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const env = { NTFY_TOPIC: "t1", DISCORD_WEBHOOK_ID: "123", DISCORD_WEBHOOK_TOKEN: "tok", SLACK_WEBHOOK_PATH: "T1/B1/X1", SMTP_PASSWORD: "pw" };
    const cfg = parseConfigText(block, "README.md", env);
    const { parseChannelUrl } = await import("../../../server/core/alerts/channels/channel-url");
    expect(new Set(cfg.alerts.channels.map((c) => parseChannelUrl(c.url).kind))).toEqual(new Set(["ntfy", "webhook", "discord", "slack", "email"]));
    expect(cfg.alerts.rules.map((r) => r.when)).toEqual(["node-offline", "gpu-temperature", "gpu-memory", "disk-usage", "deployment-failed", "backend-down", "failover"]);
  });
});
