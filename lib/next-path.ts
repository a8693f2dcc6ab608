/**
 * Where to go after signing in (`/login?next=…`): only a path on this site. Anything a browser
 * could read as another host (`//evil`, `/\evil`, `https:…`, the same encoded, with tabs and newlines
 * that browsers drop, or hidden behind dot segments: `/.//evil`) becomes "/". Pure: used by the sign-in endpoint and the login page.
 */
const BASE = "http://switchyard.invalid";
const MAX_LENGTH = 2048;
const SUSPICIOUS = /[\\\u0000-\u001f\u007f]/;

export function safeNextPath(raw: unknown): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_LENGTH) return "/";
  if (!raw.startsWith("/") || raw.startsWith("//") || SUSPICIOUS.test(raw)) return "/";
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return "/";
  }
  // A path that decodes to another host's URL is refused even though a browser would not decode it:
  // a proxy, or a page that decodes it once more, might.
  if (decoded.startsWith("//") || SUSPICIOUS.test(decoded)) return "/";
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return "/";
  }
  // Dot segments resolve before the check (`/.//evil`, `/a/..//evil` are the path `//evil`), and a
  // path that starts with `//` is another host once it is a Location.
  if (url.origin !== BASE || url.pathname.startsWith("//")) return "/";
  if (url.pathname === "/login" || url.pathname.startsWith("/login/")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}
