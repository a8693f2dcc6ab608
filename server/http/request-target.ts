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

const QUERY_ERROR: RequestTarget = Object.freeze({ ok: false, message: "the query string has an invalid percent-encoding" });
// Without a `%` there is nothing that could fail to decode.
const queryDecodes = (query: string) => !query.includes("%") || decode(query.replace(/\+/g, " ")) !== null;

/** Re-encodes one decoded segment, leaving the characters paths commonly carry as they are. */
const encodeSegment = (s: string) => encodeURIComponent(s).replace(/%(?:40|3A|24|2C|3B|2B|3D|26)/gi, (m) => decodeURIComponent(m));

/**
 * A target that is already canonical: `/`, or `/`-separated segments of only the characters that
 * come out of decode + encodeSegment unchanged (what encodeURIComponent keeps, A–Z a–z 0–9
 * - _ . ! ~ * ' ( ), and what encodeSegment puts back, @ : $ , ; + = &), none of them `.` or `..`,
 * with at most a trailing slash, then the query or the end. No `%`, no backslash, no `//`.
 * Each segment starts with a `/`, which the class lacks, so matching is linear.
 */
const CANONICAL = /^(?:(?:\/(?!\.\.?(?:[/?]|$))[A-Za-z0-9\-_.!~*'()@:$,;+=&]+)+\/?|\/)(?=\?|$)/;

/**
 * The hot path (every gateway call): a canonical target is returned as it came, without splitting,
 * decoding or re-encoding; anything else (null) goes the general way. One regex test, measured
 * faster than a char-code loop. Exported for the differential test.
 */
export function canonicalAsIs(target: string): RequestTarget | null {
  if (target.length > MAX_TARGET || !CANONICAL.test(target)) return null;
  const q = target.indexOf("?");
  if (q < 0) return { ok: true, path: target, url: target };
  if (!queryDecodes(target.slice(q))) return QUERY_ERROR;
  return { ok: true, path: target.slice(0, q), url: target };
}

export function parseRequestTarget(raw: string | undefined): RequestTarget {
  const target = raw ?? "/";
  return canonicalAsIs(target) ?? parseRequestTargetSlow(target);
}

/** The general path: every spelling, resolved segment by segment. Exported for the differential test. */
export function parseRequestTargetSlow(raw: string | undefined): RequestTarget {
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
  if (!queryDecodes(query)) return QUERY_ERROR;

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
