/** Channel URLs: the scheme picks the kind; what is refused; masking; each kind's payload. */
import { describe, expect, it } from "vitest";
import { maskChannelUrl, parseChannelUrl as parseAny, redactChannelSecrets, type HttpTarget, type ServiceBases } from "../../../server/core/alerts/channels/channel-url";
import { renderHttp, renderMail, webhookPayload } from "../../../server/core/alerts/channels/render";
import type { Notice } from "../../../server/core/alerts/notice";

/** The HTTP kinds (mail has its own test). */
const parseChannelUrl = (url: string, bases?: ServiceBases) => parseAny(url, bases) as HttpTarget;

const notice: Notice = {
  rule: "gpu-temperature", ruleName: "hot", state: "firing", subject: { node: "box1", gpu: 0 },
  message: "GPU 0 on box1 is at 91 °C", at: Date.parse("2026-12-07T10:00:00Z"), since: Date.parse("2026-12-07T09:59:00Z"), repeat: false, test: false,
};

describe("parseChannelUrl", () => {
  it.each([
    ["http://192.168.1.5:9000/switchyard", { kind: "webhook", url: "http://192.168.1.5:9000/switchyard" }],
    ["https://hooks.example.com/x?y=1", { kind: "webhook", url: "https://hooks.example.com/x?y=1" }],
    ["ntfy://ntfy.sh/my-gpus", { kind: "ntfy", url: "https://ntfy.sh/", topic: "my-gpus" }],
    ["ntfy+http://192.168.1.9:8080/gpus?priority=5&tags=homelab", { kind: "ntfy", url: "http://192.168.1.9:8080/", topic: "gpus", priority: 5, tags: ["homelab"] }],
    ["discord://123456789/abc-DEF_ghi", { kind: "discord", url: "https://discord.com/api/webhooks/123456789/abc-DEF_ghi" }],
    ["https://discord.com/api/webhooks/123456789/abc-DEF_ghi", { kind: "discord", url: "https://discord.com/api/webhooks/123456789/abc-DEF_ghi" }],
    ["slack://T000/B000/XXXX", { kind: "slack", url: "https://hooks.slack.com/services/T000/B000/XXXX" }],
    ["https://hooks.slack.com/services/T000/B000/XXXX", { kind: "slack", url: "https://hooks.slack.com/services/T000/B000/XXXX" }],
  ])("%s", (url, expected) => {
    expect(parseChannelUrl(url)).toMatchObject(expected);
  });

  it("sends ntfy credentials as headers: an access token, or user and password", () => {
    expect(parseChannelUrl("ntfy://ntfy.sh/t?token=tk_secret").headers).toEqual({ authorization: "Bearer tk_secret" });
    expect(parseChannelUrl("ntfy://me:pw@ntfy.sh/t").headers).toEqual({ authorization: `Basic ${Buffer.from("me:pw").toString("base64")}` });
  });

  it("reads mail URLs: STARTTLS required with a password unless tls=none; smtps is TLS from the start", () => {
    expect(parseAny("smtp://me%40x.org:p%40ss@mail.x.org/?to=a@x.org,b@x.org")).toEqual({
      kind: "email", host: "mail.x.org", port: 587, secure: false, starttls: "required", user: "me@x.org", pass: "p@ss", from: "me@x.org", to: ["a@x.org", "b@x.org"],
    });
    expect(parseAny("smtps://u:p@mail.x.org/?to=a@x.org&from=gpus@x.org")).toMatchObject({ port: 465, secure: true, from: "gpus@x.org" });
    expect(parseAny("smtp://relay.lan:25/?to=a@x.org&tls=none")).toMatchObject({ starttls: "none", user: null, from: "switchyard@relay.lan" });
  });

  it("points discord:// and slack:// at another base (a test's local sink)", () => {
    const bases = { discord: "http://127.0.0.1:9", slack: "http://127.0.0.1:9" };
    expect(parseChannelUrl("discord://1/t", bases).url).toBe("http://127.0.0.1:9/api/webhooks/1/t");
    expect(parseChannelUrl("slack://T/B/X", bases).url).toBe("http://127.0.0.1:9/services/T/B/X");
  });

  it.each([
    ["file:///etc/passwd", /scheme 'file' is not a channel/],
    ["javascript:alert(1)", /scheme 'javascript' is not a channel/],
    ["data:text/plain,hi", /scheme 'data'/],
    ["gopher://x/", /scheme 'gopher'/],
    ["http://169.254.169.254/latest/meta-data", /link-local or cloud metadata/],
    ["http://[fe80::1]/x", /link-local/],
    ["http://metadata.google.internal/computeMetadata/v1/", /metadata/],
    ["ntfy://ntfy.sh/", /needs a topic/],
    ["ntfy://ntfy.sh/t?priority=9", /priority must be 1/],
    ["discord://abc/t", /discord:\/\/WEBHOOK_ID/],
    ["slack://T/B", /slack:\/\/T…\/B…\/SECRET/],
    ["smtp://mail.x.org/", /needs \?to=/],
    ["smtp://mail.x.org/?to=not-an-address", /not an email address/],
    ["http://x/ y", /spaces or control characters/],
    ["not a url", /spaces/],
  ])("refuses %s", (url, why) => {
    expect(() => parseChannelUrl(url)).toThrow(why);
  });

  it("refuses a URL longer than 2048 characters", () => {
    expect(() => parseChannelUrl(`http://x/${"a".repeat(3000)}`)).toThrow(/longer than 2048/);
  });
});

describe("maskChannelUrl", () => {
  it.each([
    ["ntfy://ntfy.sh/my-secret-topic?token=tk_abcdef", "ntfy://ntfy.sh/my-•••?token=•••"],
    ["discord://123456789012/AbCdEfGhIjKl", "discord://123•••/AbC•••"],
    ["slack://T0001/B0002/XXXXXXXXX", "slack://T00•••/B00•••/XXX•••"],
    ["smtp://me:hunter22@mail.x.org:587/?to=a@x.org", "smtp://•••:•••@mail.x.org:587/?to=a@x.org"],
    ["https://user:pw@hooks.example.com/abcdef123456", "https://•••:•••@hooks.example.com/abc•••"],
  ])("%s → %s", (url, masked) => {
    expect(maskChannelUrl(url)).toBe(masked);
  });

  it("removes a channel's secrets from error text", () => {
    const url = "smtp://me:hunter22@mail.x.org/?to=a@x.org";
    expect(redactChannelSecrets("535 auth failed for me / hunter22", url)).not.toMatch(/hunter22/);
    const hook = "http://127.0.0.1:9/hooks/s3cr3t-path";
    expect(redactChannelSecrets(`POST ${hook} failed (s3cr3t-path)`, hook)).toBe("POST ••• failed (•••)");
  });
});

describe("payloads", () => {
  it("the webhook gets the contract's payload (plus additions)", () => {
    expect(webhookPayload(notice)).toEqual({
      rule: "gpu-temperature", state: "firing", node: "box1", gpu: 0, message: "GPU 0 on box1 is at 91 °C", at: "2026-12-07T10:00:00Z",
      name: "hot", since: "2026-12-07T09:59:00Z",
    });
    const offline = webhookPayload({ ...notice, rule: "node-offline", state: "resolved", subject: { node: "box2" } });
    expect(offline).not.toHaveProperty("gpu");
    expect(offline).toMatchObject({ rule: "node-offline", state: "resolved", node: "box2" });
  });

  it("ntfy gets a title, priority and tags, published as JSON to the server's root", () => {
    const req = renderHttp(notice, parseChannelUrl("ntfy://ntfy.sh/gpus"));
    expect(req.url).toBe("https://ntfy.sh/");
    expect(JSON.parse(req.body)).toEqual({ topic: "gpus", title: "[FIRING] gpu-temperature: box1 GPU 0", message: notice.message, priority: 4, tags: ["rotating_light", "gpu-temperature"] });
    const resolved = JSON.parse(renderHttp({ ...notice, state: "resolved" }, parseChannelUrl("ntfy://ntfy.sh/gpus?priority=2")).body);
    expect(resolved).toMatchObject({ title: "[RESOLVED] gpu-temperature: box1 GPU 0", priority: 2, tags: ["white_check_mark", "gpu-temperature"] });
  });

  it("Discord never pings (log lines may say @everyone); Slack's control characters are escaped", () => {
    const hostile = { ...notice, message: "@everyone <!channel> <https://evil|click>" };
    const d = JSON.parse(renderHttp(hostile, parseChannelUrl("discord://1/t")).body);
    expect(d.allowed_mentions).toEqual({ parse: [] });
    expect(d.embeds[0].description).toBe(hostile.message);
    const s = JSON.parse(renderHttp(hostile, parseChannelUrl("slack://T/B/X")).body);
    expect(s.text).not.toMatch(/<!channel>|<https/);
    expect(s.text).toContain("&lt;!channel&gt;");
  });

  it("mail has a one-line subject and the cause in its text", () => {
    const m = renderMail({ ...notice, ruleName: "hot\r\nBcc: x@y" });
    expect(m.subject).toBe("[FIRING] gpu-temperature: box1 GPU 0");
    expect(m.text).toContain(notice.message);
  });
});
