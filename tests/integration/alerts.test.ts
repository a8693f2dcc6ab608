/**
 * Alerts end to end on real components: a real server with alert rules in its config file, real
 * agents reading the stand-in nvidia-smi (real H100 captures), a killed agent, a gateway backend
 * that dies and comes back; notices received by local sinks for every channel kind: a webhook,
 * ntfy, Discord and Slack (one HTTP sink, told apart by path) and mail (a real SMTP server).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertChannelView, FiringAlertView, OccurrenceView } from "../../protocol/alerts";
import { httpSink, smtpSink, type HttpSink, type SmtpSink } from "../helpers/alert-sinks";
import { GATEWAY_KEY, json, openAICompletion, scriptedUpstream, startGateway, withHealth, type GatewayServer, type Scripted } from "../helpers/gateway";
import { startAgent, waitFor, type Proc } from "../helpers/processes";

const PREFIX = `alerts-it-${process.pid}`;
const GONE = `${PREFIX}-gone`;
const HOT = `${PREFIX}-hot`;
const SMTP_PASS = "mail-Secret-77";
const DISCORD_TOKEN = "dIsCoRdToKeN_123";
const NTFY_TOPIC = "gpus-topic-xyz";

let sink: HttpSink;
let smtp: SmtpSink;
let cloud: Scripted;
let box2: Scripted;
let server: GatewayServer;
const agents: Proc[] = [];

const cloudScript = withHealth((_req, res) => json(res, 200, openAICompletion("claude-sonnet-4-5", "from the cloud")));

beforeAll(async () => {
  sink = await httpSink();
  smtp = await smtpSink("alerts", SMTP_PASS);
  cloud = await scriptedUpstream(cloudScript);
  box2 = await scriptedUpstream(withHealth((_req, res) => json(res, 200, openAICompletion("glm-4.5-air", "from box2"))));
  const everyChannel = "[hook, phone, chat, team, mail]";
  server = await startGateway(`
apiKeys:
  - {name: laptop, key: ${GATEWAY_KEY}}
backends:
  - {name: cloud, url: "${cloud.url}", api: openai, kind: cloud, health: {path: /health, intervalS: 1}}
  - {name: box2, url: "${box2.url}", api: openai, health: {path: /health, intervalS: 1}}
routes:
  - model: claude-sonnet-4-5
    targets: [cloud/claude-sonnet-4-5, box2/glm-4.5-air]
alerts:
  channels:
    - {name: hook, url: "${sink.url}/hook"}
    - {name: flaky, url: "${sink.url}/flaky"}
    - {name: phone, url: "ntfy+http://${sink.url.slice(7)}/${NTFY_TOPIC}"}
    - {name: chat, url: "discord://987654321/${DISCORD_TOKEN}"}
    - {name: team, url: "slack://T0001/B0002/SlackSecret42"}
    - {name: mail, url: "smtp://alerts:\${SMTP_PASS}@127.0.0.1:${smtp.port}/?to=ops@example.com&from=switchyard@example.com&tls=none"}
  rules:
    - {when: node-offline, for: 2s, nodes: ["*-gone"], notify: ${everyChannel.replace("]", ", flaky]")}}
    - {when: gpu-temperature, above: 50, for: 2s, nodes: ["${HOT}"], notify: [hook]}
    - {when: gpu-memory, above: 20, for: 1s, nodes: ["${HOT}"], notify: [hook]}
    - {when: backend-down, for: 1s, backends: [cloud], notify: [hook]}
    - {when: failover, routes: [claude-sonnet-4-5], notify: [hook, phone]}
`, { env: {
    SMTP_PASS, SWITCHYARD_OFFLINE_AFTER_S: "2", LOG_LEVEL: "info",
    SWITCHYARD_ALERTS_TEST_DISCORD_URL: sink.url, SWITCHYARD_ALERTS_TEST_SLACK_URL: sink.url, SWITCHYARD_ALERTS_TEST_RETRY_MS: "200",
  } });
}, 90_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await server?.stop();
  await Promise.all([sink?.close(), smtp?.close(), cloud?.close(), box2?.close()]);
});

const webhooks = (rule: string, state?: string) => sink.at("/hook").map((r) => r.json!).filter((j) => j.rule === rule && (!state || j.state === state));
const firing = async () => (await (await server.api("/api/alerts/firing")).json()) as FiringAlertView[];
const history = async () => (await (await server.api("/api/alerts/history")).json()) as OccurrenceView[];

describe("alerts", () => {
  it("a killed agent: node-offline on every channel kind, then resolved when it reconnects", async () => {
    sink.failNext("/flaky", 2);
    let gone = startAgent({ server: server.url, name: GONE, gpus: "h100" });
    agents.push(gone);
    await waitFor("the agent online", async () => ((await (await server.api(`/api/nodes/${GONE}`)).json()) as { online?: boolean }).online, 30_000);
    // Killed at once: the server lists it online before the agent has read its welcome. One killed
    // before it saved (and confirmed) the credential issued to it comes back by enrolling again.
    await gone.stop("SIGKILL");

    await waitFor("node-offline on the webhook", () => webhooks("node-offline", "firing").length > 0, 30_000, 200);
    const hook = webhooks("node-offline", "firing")[0]!;
    expect(Object.keys(hook).slice(0, 5)).toEqual(["rule", "state", "node", "message", "at"]);
    expect(hook).toMatchObject({ rule: "node-offline", state: "firing", node: GONE });
    expect(hook).not.toHaveProperty("gpu");
    expect(hook.message).toMatch(new RegExp(`^node ${GONE} is offline`));
    expect(hook.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    await waitFor("every channel told", () => sink.at("/api/webhooks/").length > 0 && sink.at("/services/").length > 0 && sink.at("/").some((r) => r.json?.topic) && smtp.mails.length > 0, 15_000, 200);
    const ntfy = sink.requests.find((r) => r.json?.topic === NTFY_TOPIC)!;
    expect(ntfy.path).toBe("/");
    expect(ntfy.json).toMatchObject({ title: `[FIRING] node-offline: ${GONE}`, priority: 4, tags: ["rotating_light", "node-offline"] });
    const discord = sink.at("/api/webhooks/")[0]!;
    expect(discord.path).toBe(`/api/webhooks/987654321/${DISCORD_TOKEN}`);
    expect(discord.json).toMatchObject({ content: `[FIRING] node-offline: ${GONE}`, allowed_mentions: { parse: [] } });
    const slack = sink.at("/services/")[0]!;
    expect(slack.path).toBe("/services/T0001/B0002/SlackSecret42");
    expect(String(slack.json!.text)).toContain(`[FIRING] node-offline: ${GONE}`);
    const mail = smtp.mails[0]!;
    expect(mail).toMatchObject({ from: "switchyard@example.com", to: ["ops@example.com"], user: "alerts" });
    expect(mail.raw).toMatch(new RegExp(`Subject: \\[FIRING\\] node-offline: ${GONE}`));

    // The flaky channel was down for its first two tries: retried with backoff until it got through.
    await waitFor("the flaky channel reached", () => sink.at("/flaky").length >= 3, 15_000, 200);
    const occ = (await history()).find((o) => o.kind === "node-offline")!;
    const flaky = occ.deliveries.find((d) => d.channel === "flaky")!;
    expect(flaky).toMatchObject({ status: "sent", attempts: 3 });

    gone = startAgent({ server: server.url, name: GONE, gpus: "h100" });
    agents.push(gone);
    await waitFor("resolved on the webhook", () => webhooks("node-offline", "resolved").length > 0, 30_000, 200);
    expect(webhooks("node-offline", "resolved")[0]).toMatchObject({ node: GONE, message: expect.stringMatching(new RegExp(`^node ${GONE} is back online after \\d+s`)) });
    await waitFor("resolved by mail too", () => smtp.mails.some((m) => /\[RESOLVED\] node-offline/.test(m.raw)), 15_000, 200);
    expect(webhooks("node-offline", "firing")).toHaveLength(1);
  });

  it("a hot GPU from real captures: gpu-temperature and gpu-memory name the process, and resolve as it cools", async () => {
    // The stand-in replays the H100's captured idle (41 °C, 0 MiB) and load (59 °C, 19.8 GiB by gpu_burn and memhogs) rows in turn.
    agents.push(startAgent({ server: server.url, name: HOT, gpus: "h100", env: { SWITCHYARD_STANDIN_PERIOD_S: "14" } }));
    await waitFor("gpu-temperature firing", () => webhooks("gpu-temperature", "firing").length > 0, 40_000, 200);
    const hot = webhooks("gpu-temperature", "firing")[0]!;
    expect(hot).toMatchObject({ node: HOT, gpu: 0 });
    expect(hot.message).toMatch(new RegExp(`^GPU 0 \\(NVIDIA H100 80GB HBM3\\) on ${HOT} is at (5\\d|6\\d) °C, above 50 °C`));
    await waitFor("gpu-memory firing", () => webhooks("gpu-memory", "firing").length > 0, 40_000, 200);
    expect(webhooks("gpu-memory", "firing")[0]!.message).toMatch(/% of its memory in use .* held by \.\/gpu_burn \(pid 11345\) 15\.\d GiB/);
    await waitFor("gpu-temperature resolved as the GPU idles", () => webhooks("gpu-temperature", "resolved").length > 0, 40_000, 200);
    expect(webhooks("gpu-temperature", "resolved")[0]!.message).toMatch(/^back within the threshold after \d+s; was: GPU 0/);
  });

  it("a dead backend: backend-down with the upstream's error, failover to box2, and back", async () => {
    const ask = async () => {
      const res = await server.gw("/v1/chat/completions", { method: "POST", body: JSON.stringify({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "hi" }] }) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
    };
    expect(await ask()).toBe("from the cloud");
    const port = cloud.port;
    await cloud.kill();

    await waitFor("backend-down firing", () => webhooks("backend-down", "firing").length > 0, 20_000, 200);
    expect(webhooks("backend-down", "firing")[0]!.message).toMatch(/^backend cloud is down: .*ECONNREFUSED/);
    expect(await ask()).toBe("from box2");
    await waitFor("failover firing", () => webhooks("failover", "firing").length > 0, 10_000, 200);
    expect(webhooks("failover", "firing")[0]!.message).toMatch(/^cloud outage: claude-sonnet-4-5 now served by box2\/glm-4.5-air \(cloud\/claude-sonnet-4-5: .*ECONNREFUSED/);
    expect(sink.requests.some((r) => r.json?.topic === NTFY_TOPIC && /failover: claude-sonnet-4-5/.test(String(r.json.title)))).toBe(true);
    expect((await firing()).map((f) => f.kind)).toEqual(expect.arrayContaining(["backend-down", "failover"]));

    cloud = await scriptedUpstream(cloudScript, port);
    await waitFor("backend-down resolved", () => webhooks("backend-down", "resolved").length > 0, 20_000, 200);
    await waitFor("traffic back on the cloud", async () => (await ask()) === "from the cloud", 20_000, 500);
    await waitFor("failover resolved", () => webhooks("failover", "resolved").length > 0, 10_000, 200);
    expect(webhooks("failover", "resolved")[0]!.message).toMatch(/^claude-sonnet-4-5 is served by its first target again/);
  });

  it("send test: a channel test arrives, and a failing one says why without its secrets", async () => {
    const before = smtp.mails.length;
    const ok = await (await server.api("/api/alerts/channels/mail/test", { method: "POST" })).json();
    expect(ok).toEqual({ ok: true, error: null });
    await waitFor("the test mail", () => smtp.mails.length > before, 10_000, 100);
    expect(smtp.mails.at(-1)!.raw).toMatch(/Switchyard test notification/);

    sink.failNext("/api/webhooks/", 1, 500);
    const bad = (await (await server.api("/api/alerts/channels/chat/test", { method: "POST" })).json()) as { ok: boolean; error: string };
    expect(bad).toEqual({ ok: false, error: "HTTP 500 Internal Server Error" });
  });

  it("never shows channel secrets: API answers and the server's log", async () => {
    const channels = (await (await server.api("/api/alerts/channels")).json()) as AlertChannelView[];
    expect(channels.map((c) => [c.name, c.kind, c.source])).toEqual([
      ["hook", "webhook", "config"], ["flaky", "webhook", "config"], ["phone", "ntfy", "config"], ["chat", "discord", "config"], ["team", "slack", "config"], ["mail", "email", "config"],
    ]);
    const everything = JSON.stringify(channels) + JSON.stringify(await history()) + JSON.stringify(await firing()) + server.proc.text();
    for (const secret of [SMTP_PASS, DISCORD_TOKEN, NTFY_TOPIC, "SlackSecret42"]) expect(everything).not.toContain(secret);
  });
});
