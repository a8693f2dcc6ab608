/**
 * Which dashboard paths may be served without a session: the sign-in page and what it loads.
 * Decided on the canonical path (request-target.ts), by exact match, so no spelling of another
 * page (`/login/../keys`, `/login%2F..%2Fkeys`, `/LOGIN`) passes for the sign-in page.
 */
const PUBLIC_PATHS = new Set(["/login", "/favicon.ico", "/icon.svg", "/robots.txt"]);
const PUBLIC_PREFIXES = ["/_next/static/"];

export function isPublicPage(path: string): boolean {
  return PUBLIC_PATHS.has(path) || PUBLIC_PREFIXES.some((p) => path.startsWith(p));
}

/** Where a visitor without a session is sent: the sign-in page, which brings them back afterwards. */
export function loginRedirect(url: string): string {
  return url === "/" ? "/login" : `/login?next=${encodeURIComponent(url)}`;
}
