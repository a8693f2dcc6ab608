/**
 * Sends one notice to one channel: HTTP POSTs (webhook, ntfy, Discord, Slack) with fetch, mail with
 * nodemailer. Redirects are not followed and response bodies are not read (a channel URL must not
 * become a way to read other servers); errors are short, with the channel's secrets removed.
 */
import type { Notice } from "../notice";
import type { ChannelTarget, EmailTarget, HttpTarget } from "./channel-url";
import { renderHttp, renderMail } from "./render";

export const SEND_TIMEOUT_MS = 10_000;

export class DeliveryError extends Error {
  constructor(message: string, readonly retryAfterMs: number | null = null) {
    super(message);
    this.name = "DeliveryError";
  }
}

export type Send = (target: ChannelTarget, notice: Notice) => Promise<void>;

function causeOf(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `no answer within ${SEND_TIMEOUT_MS / 1000} s`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message ?? "failed"} (${cause})` : (e?.message ?? String(err));
}

async function sendHttp(t: HttpTarget, notice: Notice): Promise<void> {
  const req = renderHttp(notice, t);
  let res: Response;
  try {
    res = await fetch(req.url, { method: "POST", headers: req.headers, body: req.body, redirect: "manual", signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
  } catch (err) {
    throw new DeliveryError(causeOf(err));
  }
  await res.body?.cancel().catch(() => {});
  if (res.status >= 200 && res.status < 300) return;
  const retryAfter = Number(res.headers.get("retry-after"));
  const where = res.status >= 300 && res.status < 400 ? " (a redirect: give the final URL)" : "";
  throw new DeliveryError(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}${where}`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null);
}

async function sendMail(t: EmailTarget, notice: Notice): Promise<void> {
  // Loaded with the first mail: ~40 modules a server without a mail channel never runs.
  const { default: nodemailer } = await import("nodemailer");
  const transport = nodemailer.createTransport({
    host: t.host, port: t.port, secure: t.secure,
    requireTLS: t.starttls === "required", ignoreTLS: t.starttls === "none",
    auth: t.user ? { user: t.user, pass: t.pass ?? "" } : undefined,
    connectionTimeout: SEND_TIMEOUT_MS, greetingTimeout: SEND_TIMEOUT_MS, socketTimeout: SEND_TIMEOUT_MS,
  });
  const mail = renderMail(notice);
  try {
    await transport.sendMail({ from: t.from, to: t.to, subject: mail.subject, text: mail.text });
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; message?: string };
    throw new DeliveryError(`${e.responseCode ? `SMTP ${e.responseCode}: ` : ""}${(e.message ?? String(err)).split("\n")[0]}${e.code && !e.responseCode ? ` (${e.code})` : ""}`);
  } finally {
    transport.close();
  }
}

export const sendNotice: Send = (target, notice) => (target.kind === "email" ? sendMail(target, notice) : sendHttp(target, notice));
