/** Hostile `alerts:` sections in SWITCHYARD_CONFIG: every list, string and number is bounded, every scheme checked. */
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../server/gateway/config/load";

const channel = (url: string, name = "c") => `alerts:\n  channels:\n    - name: ${JSON.stringify(name)}\n      url: ${JSON.stringify(url)}\n`;

describe("hostile alerts config", () => {
  it.each([
    ["javascript: URL", channel("javascript:alert(1)"), /scheme 'javascript' is not a channel/],
    ["file: URL", channel("file:///etc/shadow"), /scheme 'file'/],
    ["metadata address", channel("http://169.254.169.254/latest/"), /metadata/],
    ["a URL too long", channel(`http://x/${"a".repeat(5000)}`), /2048/],
    ["a name with a newline", channel("http://x/y", "a\nb"), /letters, digits/],
    ["a name too long", channel("http://x/y", "n".repeat(100)), /64/],
    ["101 channels", `alerts:\n  channels:\n${Array.from({ length: 101 }, (_, i) => `    - {name: c${i}, url: "http://x/${i}"}`).join("\n")}\n`, /100/],
    ["101 rules", `alerts:\n  channels: [{name: c, url: "http://x/y"}]\n  rules:\n${Array.from({ length: 101 }, () => "    - {when: node-offline, notify: [c]}").join("\n")}\n`, /100/],
    ["an unknown key", "alerts:\n  channels: []\n  rules: []\n  exec: rm -rf /\n", /exec/],
    ["a huge threshold", "alerts:\n  channels: [{name: c, url: \"http://x/y\"}]\n  rules: [{when: gpu-temperature, above: 1e308, notify: [c]}]\n", /between 0 and 200/],
    ["a duration of centuries", "alerts:\n  channels: [{name: c, url: \"http://x/y\"}]\n  rules: [{when: node-offline, for: 99999999d, notify: [c]}]\n", /at most 30d/],
    ["a GPU index out of range", "alerts:\n  channels: [{name: c, url: \"http://x/y\"}]\n  rules: [{when: gpu-memory, gpus: [4096], notify: [c]}]\n", /63/],
  ])("refuses %s with a message naming the field", (_what, yaml, why) => {
    expect(() => parseConfigText(yaml, "sy.yaml", {})).toThrow(why);
  });

  it("an unset ${VAR} in a channel URL is named", () => {
    expect(() => parseConfigText(channel("ntfy://ntfy.sh/${TOPIC}"), "sy.yaml", {})).toThrow(/needs a topic[\s\S]*the variable TOPIC is not set/);
  });
});
