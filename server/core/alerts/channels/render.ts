/**
 * A notice → the request each channel kind expects. Pure. Text from causes (log lines, upstream
 * errors) is untrusted: Discord mentions are disabled, Slack's control sequences escaped, and every
 * field is clipped to the service's limit.
 */
import { clip, noticeTitle, type Notice } from "../notice";
import type { HttpTarget } from "./channel-url";

export interface HttpRequestSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface MailSpec {
  subject: string;
  text: string;
}

/** The contract's webhook payload: rule, state, node, gpu (where they apply), message, at; plus additions. */
export function webhookPayload(n: Notice): Record<string, unknown> {
  const out: Record<string, unknown> = { rule: n.rule, state: n.state };
  if (n.subject.node !== undefined) out.node = n.subject.node;
  if (n.subject.gpu !== undefined) out.gpu = n.subject.gpu;
  out.message = n.message;
  out.at = new Date(n.at).toISOString().replace(/\.\d{3}Z$/, "Z");
  // Additions (the contract's fields above are unchanged).
  out.name = n.ruleName;
  for (const k of ["route", "backend", "deployment"] as const) if (n.subject[k] !== undefined) out[k] = n.subject[k];
  if (n.since !== null) out.since = new Date(n.since).toISOString().replace(/\.\d{3}Z$/, "Z");
  if (n.repeat) out.repeat = true;
  if (n.test) out.test = true;
  return out;
}

function ntfyBody(n: Notice, t: HttpTarget): Record<string, unknown> {
  const firing = n.state === "firing" && !n.test;
  const tags = [firing ? "rotating_light" : n.test ? "test_tube" : "white_check_mark", n.rule, ...(t.tags ?? [])];
  return {
    topic: t.topic, title: clip(noticeTitle(n), 250), message: clip(n.message, 4000),
    priority: t.priority ?? (firing ? 4 : 3), tags: [...new Set(tags)],
  };
}

const COLOR = { firing: 0xd9534f, resolved: 0x3fb950, test: 0x58a6ff };

function discordBody(n: Notice): Record<string, unknown> {
  return {
    username: "Switchyard",
    content: clip(noticeTitle(n), 2000),
    embeds: [{ title: clip(noticeTitle(n), 256), description: clip(n.message, 4000), color: n.test ? COLOR.test : COLOR[n.state], timestamp: new Date(n.at).toISOString() }],
    // Log lines may contain "@everyone": never let a notice ping anyone.
    allowed_mentions: { parse: [] },
  };
}

/** Slack treats &, < and > as control characters (<!channel>, <url|text>). */
const slackEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function slackBody(n: Notice): Record<string, unknown> {
  const title = slackEscape(noticeTitle(n));
  const message = slackEscape(clip(n.message, 2900));
  return {
    text: clip(`${title}\n${message}`, 3000),
    blocks: [
      { type: "header", text: { type: "plain_text", text: clip(noticeTitle(n), 150) } },
      { type: "section", text: { type: "mrkdwn", text: message.includes("\n") ? `\`\`\`${message}\`\`\`` : message } },
    ],
  };
}

export function renderHttp(n: Notice, t: HttpTarget): HttpRequestSpec {
  const body = t.kind === "webhook" ? webhookPayload(n) : t.kind === "ntfy" ? ntfyBody(n, t) : t.kind === "discord" ? discordBody(n) : slackBody(n);
  return { url: t.url, headers: { "content-type": "application/json", "user-agent": "switchyard-alerts", ...t.headers }, body: JSON.stringify(body) };
}

export function renderMail(n: Notice): MailSpec {
  const when = new Date(n.at).toISOString();
  const since = n.since !== null ? `\nFiring since: ${new Date(n.since).toISOString()}` : "";
  return {
    subject: clip(noticeTitle(n).replace(/[\r\n]+/g, " "), 200),
    text: `${n.message}\n\nRule: ${n.ruleName} (${n.rule})\nState: ${n.state}\nAt: ${when}${since}\n\n-- Switchyard`,
  };
}
