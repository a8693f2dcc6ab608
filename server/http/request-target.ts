/**
 * The request target, made canonical before anything decides on it: percent-encodings must be
 * valid UTF-8 escapes (else a 400), `.` and `..` segments (also encoded, also with backslashes) are
 * resolved, empty segments dropped. The gate, the API router and the page renderer are then handed
 * the same canonical path, so none of them can be shown one path and serve another
 * (`/login/../keys` is `/keys` for all of them).
 */
export type RequestTarget =
  | { ok: true; /** Decoded, canonical path (for decisions). */ path: string; /** Canonical path and query, encoded (for routers). */ url: string }
  | { ok: false; message: string };

const MAX_TARGET = 8192;
const CONTROL = /[\u0000-\u001f\u007f]/;

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** Re-encodes one decoded segment, leaving the characters paths commonly carry as they are. */
const encodeSegment = (s: string) => encodeURIComponent(s).replace(/%(?:40|3A|24|2C|3B|2B|3D|26)/gi, (m) => decodeURIComponent(m));

export function parseRequestTarget(raw: string | undefined): RequestTarget {
  let target = raw ?? "/";
  if (target.length > MAX_TARGET) return { ok: false, message: "the request path is too long" };
  if (/^https?:\/\//i.test(target)) {
    // Absolute form (what proxies send): only its path and query matter here.
    const slash = target.indexOf("/", target.indexOf("//") + 2);
    target = slash < 0 ? "/" : target.slice(slash);
  }
  if (!target.startsWith("/")) return { ok: false, message: "the request target must be a path starting with /" };
  const q = target.indexOf("?");
  const rawPath = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? "" : target.slice(q);
  if (decode(query.replace(/\+/g, " ")) === null) return { ok: false, message: "the query string has an invalid percent-encoding" };

  const out: Array<{ decoded: string; raw: string }> = [];
  // Browsers read a backslash in a path as a slash; so do we.
  for (const seg of rawPath.split(/[/\\]/)) {
    const d = decode(seg);
    if (d === null) return { ok: false, message: "the path has an invalid percent-encoding" };
    if (CONTROL.test(d)) return { ok: false, message: "the path has control characters" };
    if (d === "" || d === ".") continue;
    if (d === "..") {
      out.pop();
      continue;
    }
    out.push({ decoded: d, raw: seg });
  }
  const trailing = out.length > 0 && /[/\\]$/.test(rawPath) ? "/" : "";
  // An encoded slash is data (a route's model name), not a separator: decisions see it still encoded.
  const path = `/${out.map((s) => (/[/\\]/.test(s.decoded) ? encodeSegment(s.decoded) : s.decoded)).join("/")}${trailing}`;
  return { ok: true, path, url: `/${out.map((s) => encodeSegment(s.decoded)).join("/")}${trailing}${query}` };
}
