/**
 * Channel URLs: the scheme picks the kind. Pure parsing, validation and masking; nothing is sent
 * here (send.ts does that).
 *
 *   http(s)://host/path                    JSON webhook (the contract's payload)
 *   https://discord.com/api/webhooks/I/T   Discord (also discord://I/T)
 *   https://hooks.slack.com/services/…     Slack (also slack://T/B/X)
 *   ntfy://[user:pass@]host[:port]/topic   ntfy over HTTPS; ntfy+http:// for a LAN server without TLS;
 *                                          ?token=tk_… (access token), ?priority=1-5, ?tags=a,b
 *   smtp://user:pass@host[:port]/?to=a@x,b@y&from=me@x   mail (STARTTLS required when a password is
 *   smtps://…                              given, unless &tls=none); smtps: TLS from the start (465)
 *
 * What is refused, and why (SSRF): any other scheme (file:, javascript:, data:, gopher:, ftp:);
 * link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10, metadata.google.internal),
 * which no notification service lives on. LAN and loopback addresses are allowed on purpose: a
 * homelab's ntfy or webhook receiver is on the LAN, and only the admin can set a channel.
 */
export const CHANNEL_KINDS = ["webhook", "ntfy", "discord", "slack", "email"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const MAX_CHANNEL_URL = 2048;

export interface HttpTarget {
  kind: "webhook" | "ntfy" | "discord" | "slack";
  /** Where the POST goes. */
  url: string;
  headers: Record<string, string>;
  /** ntfy only: the topic (published as JSON to the server's root). */
  topic?: string;
  priority?: number;
  tags?: string[];
}

export interface EmailTarget {
  kind: "email";
  host: string;
  port: number;
  /** TLS from the first byte (smtps). */
  secure: boolean;
  /** "required": STARTTLS or fail; "opportunistic": STARTTLS if offered; "none": plain SMTP. */
  starttls: "required" | "opportunistic" | "none";
  user: string | null;
  pass: string | null;
  from: string;
  to: string[];
}

export type ChannelTarget = HttpTarget | EmailTarget;

/** Where discord:// and slack:// go; tests point them at a local sink (SWITCHYARD_ALERTS_TEST_*_URL). */
export interface ServiceBases {
  discord: string;
  slack: string;
}

export const DEFAULT_BASES: ServiceBases = { discord: "https://discord.com", slack: "https://hooks.slack.com" };

export class ChannelUrlError extends Error {}

const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;
const SEGMENT = /^[A-Za-z0-9_-]{1,200}$/;

function blockedHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return /^169\.254\./.test(h) || /^fe[89ab][0-9a-f]:/.test(h) || h === "metadata.google.internal" || h === "metadata";
}

function parse(text: string): URL {
  if (text.length > MAX_CHANNEL_URL) throw new ChannelUrlError(`is longer than ${MAX_CHANNEL_URL} characters`);
  if (/[\u0000-\u001f\u007f\s]/.test(text)) throw new ChannelUrlError("must not contain spaces or control characters");
  try {
    return new URL(text);
  } catch {
    throw new ChannelUrlError("is not a URL (e.g. ntfy://ntfy.sh/my-topic, https://host/hook, discord://ID/TOKEN, smtp://user:pass@host:587/?to=me@example.com)");
  }
}

const dec = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

function httpTarget(u: URL, bases: ServiceBases): HttpTarget {
  if (!u.hostname) throw new ChannelUrlError("needs a host");
  if (blockedHost(u.hostname)) throw new ChannelUrlError(`${u.hostname} is a link-local or cloud metadata address: not allowed for notifications`);
  const host = u.hostname.toLowerCase();
  const discord = /^\/api\/webhooks\/(\d+)\/([A-Za-z0-9_-]+)\/?$/.exec(u.pathname);
  if (u.protocol === "https:" && /^(discord\.com|discordapp\.com|ptb\.discord\.com|canary\.discord\.com)$/.test(host) && discord) {
    return { kind: "discord", url: `${bases.discord}/api/webhooks/${discord[1]}/${discord[2]}`, headers: {} };
  }
  if (u.protocol === "https:" && host === "hooks.slack.com" && /^\/services\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/?$/.test(u.pathname)) {
    return { kind: "slack", url: `${bases.slack}${u.pathname.replace(/\/$/, "")}`, headers: {} };
  }
  const headers: Record<string, string> = {};
  if (u.username || u.password) headers.authorization = `Basic ${Buffer.from(`${dec(u.username)}:${dec(u.password)}`).toString("base64")}`;
  const clean = new URL(u.href);
  clean.username = "";
  clean.password = "";
  return { kind: "webhook", url: clean.href, headers };
}

function ntfyTarget(u: URL): HttpTarget {
  const plain = u.protocol === "ntfy+http:";
  if (!u.hostname) throw new ChannelUrlError("needs a host: ntfy://ntfy.sh/my-topic");
  if (blockedHost(u.hostname)) throw new ChannelUrlError(`${u.hostname} is a link-local or cloud metadata address: not allowed for notifications`);
  const parts = u.pathname.split("/").filter(Boolean);
  const topic = parts.pop();
  if (!topic || !/^[A-Za-z0-9_-]{1,64}$/.test(topic)) throw new ChannelUrlError("needs a topic of letters, digits, _ and - (ntfy://host/my-topic)");
  const base = `${plain ? "http" : "https"}://${u.host}${parts.length ? `/${parts.join("/")}` : ""}`;
  const headers: Record<string, string> = {};
  const token = u.searchParams.get("token");
  if (token) headers.authorization = `Bearer ${token}`;
  else if (u.username || u.password) headers.authorization = `Basic ${Buffer.from(`${dec(u.username)}:${dec(u.password)}`).toString("base64")}`;
  const priorityText = u.searchParams.get("priority");
  let priority: number | undefined;
  if (priorityText !== null) {
    priority = Number(priorityText);
    if (!Number.isInteger(priority) || priority < 1 || priority > 5) throw new ChannelUrlError("priority must be 1 (min) to 5 (max)");
  }
  const tags = u.searchParams.get("tags")?.split(",").map((t) => t.trim()).filter(Boolean);
  if (tags && tags.some((t) => !/^[\w+-]{1,40}$/.test(t))) throw new ChannelUrlError("tags must be short words (letters, digits, _ + -)");
  return { kind: "ntfy", url: `${base}/`, headers, topic, priority, tags };
}

function emailTarget(u: URL): EmailTarget {
  const secure = u.protocol === "smtps:";
  if (!u.hostname) throw new ChannelUrlError("needs the mail server's host: smtp://user:pass@mail.example.com:587/?to=me@example.com");
  if (blockedHost(u.hostname)) throw new ChannelUrlError(`${u.hostname} is a link-local or cloud metadata address: not allowed`);
  const to = (u.searchParams.get("to") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (to.length === 0) throw new ChannelUrlError("needs ?to=ADDRESS (several separated by commas)");
  if (to.length > 20) throw new ChannelUrlError("at most 20 addresses in ?to=");
  for (const a of to) if (!EMAIL.test(a)) throw new ChannelUrlError(`'${a}' is not an email address`);
  const user = u.username ? dec(u.username) : null;
  const pass = u.password ? dec(u.password) : null;
  const from = u.searchParams.get("from") ?? (user && EMAIL.test(user) ? user : `switchyard@${u.hostname}`);
  if (!EMAIL.test(from)) throw new ChannelUrlError(`from: '${from}' is not an email address`);
  const tls = u.searchParams.get("tls");
  if (tls !== null && tls !== "none" && tls !== "required" && tls !== "opportunistic") throw new ChannelUrlError("tls must be required, opportunistic or none");
  const starttls = secure ? "none" : (tls as EmailTarget["starttls"] | null) ?? (pass ? "required" : "opportunistic");
  const port = u.port ? Number(u.port) : secure ? 465 : 587;
  return { kind: "email", host: u.hostname.replace(/^\[|\]$/g, ""), port, secure, starttls, user, pass, from, to };
}

/** The kind and where to send; throws ChannelUrlError with a message a person can act on. */
export function parseChannelUrl(text: string, bases: ServiceBases = DEFAULT_BASES): ChannelTarget {
  const u = parse(text.trim());
  switch (u.protocol) {
    case "http:":
    case "https:":
      return httpTarget(u, bases);
    case "ntfy:":
    case "ntfy+http:":
      return ntfyTarget(u);
    case "discord:": {
      const token = u.pathname.replace(/^\/|\/$/g, "");
      if (!/^\d{1,30}$/.test(u.hostname) || !SEGMENT.test(token)) throw new ChannelUrlError("must be discord://WEBHOOK_ID/WEBHOOK_TOKEN (from the webhook URL Discord gives you)");
      return { kind: "discord", url: `${bases.discord}/api/webhooks/${u.hostname}/${token}`, headers: {} };
    }
    case "slack:": {
      const parts = [u.hostname, ...u.pathname.split("/").filter(Boolean)];
      if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9]{1,100}$/.test(p))) throw new ChannelUrlError("must be slack://T…/B…/SECRET (the three parts of the Slack webhook URL)");
      return { kind: "slack", url: `${bases.slack}/services/${parts.join("/")}`, headers: {} };
    }
    case "smtp:":
    case "smtps:":
      return emailTarget(u);
    default:
      throw new ChannelUrlError(`scheme '${u.protocol.replace(/:$/, "")}' is not a channel: use http(s)://, ntfy://, ntfy+http://, discord://, slack://, smtp:// or smtps://`);
  }
}

/** Query keys whose values are shown; everything else is masked. */
const PLAIN_QUERY = new Set(["priority", "tags", "tls", "to", "from"]);
const MASK = "•••";

const maskPart = (s: string) => (s.length <= 4 ? MASK : `${s.slice(0, 3)}${MASK}`);

/**
 * A channel URL as the dashboard, API answers and logs may show it: the scheme, host and port,
 * recipients; credentials, tokens, topics and webhook paths cut to a hint.
 */
export function maskChannelUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return MASK;
  }
  const host = u.host;
  const auth = u.username || u.password ? `${u.username ? maskPart(dec(u.username)) : ""}${u.password ? `:${MASK}` : ""}@` : "";
  const segments = u.pathname.split("/").filter(Boolean).map((s) => maskPart(dec(s)));
  const path = segments.length ? `/${segments.join("/")}` : "/";
  const query = [...u.searchParams.entries()].map(([k, v]) => `${encodeURIComponent(k)}=${PLAIN_QUERY.has(k) ? v : MASK}`);
  // discord://ID/TOKEN keeps the id's first digits only: the id alone is enough to find the webhook.
  const shownHost = u.protocol === "discord:" || u.protocol === "slack:" ? maskPart(host) : host;
  return `${u.protocol}//${auth}${shownHost}${path}${query.length ? `?${query.join("&")}` : ""}`;
}

/**
 * Removes a channel's secrets from a text (an error message from a socket or mail server): the
 * URL itself, its credentials, path segments and query values.
 */
export function redactChannelSecrets(text: string, url: string): string {
  const secrets = new Set<string>([url, url.trim()]);
  try {
    const u = new URL(url.trim());
    for (const s of [u.username, u.password, dec(u.username), dec(u.password)]) if (s) secrets.add(s);
    for (const seg of u.pathname.split("/")) if (seg.length >= 4) secrets.add(seg);
    for (const v of u.searchParams.values()) if (v.length >= 4) secrets.add(v);
    if (u.protocol === "discord:" || u.protocol === "slack:") secrets.add(u.hostname);
  } catch {
    // Not a URL: the whole text is all we know to hide.
  }
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s) out = out.split(s).join(MASK);
  return out;
}
