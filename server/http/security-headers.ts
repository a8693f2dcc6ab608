/**
 * Response headers that keep the dashboard's pages to themselves: a Content-Security-Policy whose
 * scripts must carry this response's nonce (Next.js puts it on its own inline and chunk scripts),
 * no framing by other sites, no MIME sniffing, no Referer leaking paths to other sites.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";

export const newNonce = () => randomBytes(16).toString("base64");

/**
 * Styles allow 'unsafe-inline' because server-rendered React writes style attributes (bar widths,
 * colours), which a nonce cannot cover; scripts, the dangerous half, do not.
 */
export function pagePolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** For everything that is not a page (API JSON, errors): nothing may run or embed it. */
export const NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'";

export function setSecurityHeaders(res: ServerResponse, policy: string): void {
  res.setHeader("content-security-policy", policy);
  res.setHeader("x-content-type-options", "nosniff");
  // Not no-referrer: under it browsers send `Origin: null` on the dashboard's own form posts and
  // writes, which the cross-origin checks then refuse.
  res.setHeader("referrer-policy", "same-origin");
  res.setHeader("x-frame-options", "DENY");
}
