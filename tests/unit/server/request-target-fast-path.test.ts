/**
 * The request target's fast path (a target already canonical is returned as it came) against the
 * general path it skips: for every target, hand-written and generated, both give exactly the same
 * answer. A fast path that let one `..`, `%2e` or `//` through unresolved would show the gate one
 * path and the router another.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalAsIs, parseRequestTarget, parseRequestTargetSlow } from "../../../server/http/request-target";

const TRICKY = [
  "/a/./b", "/a/../b", "/a//b", "/..", "/.", "/%2e%2e/x", "/%2E/x", "/.%2e/x", "/a\\b", "/a\\..\\b", "/a/b/", "/", "/?", "/?x=1", "//", "//?x",
  "/a//", "/a/?x=1", "/a?x=%zz", "/a?x=%41", "/a?x=%", "/a?x=a+b%20c", "/?x=%E0%A4%A", "/a?x=\u0001", "/a?x=..&y=/../", "/a%2Fb", "/a%2fb",
  "/caf%C3%A9", "/café", "/a;b", "/a:b@c", "/~u", "/a/.", "/a/..", "/a/./", "/a/../", "/a/...", "/.a", "/a.", "/a..b", "/..a", "/a/..?x",
  "/a/.?x", "/!$&'()*+,;=:@", "/a b", "/a\tb", "/a\u0000b", "/a\u007fb", "/a\u0085b", "/a\u00e9", "/a#b", "/a\"b", "/a<b>", "/a[b]", "/a{b}",
  "/a|b", "/a^b", "/a`b", "/%", "/%00", "/%41", "/a%0d%0aSet-Cookie:x", "http://h/x/../y", "http://h/x", "https://h", "HTTP://h/a?b=%zz",
  "", "*", "a", "a/b", "?x", "\\a", ".", "/v1/chat/completions", "/v1/messages?beta=true", "/api/nodes/abc-123",
  "/login/../keys", "/login;/../keys", "/_next/static/chunks/a.js", "/nodes/box1/?range=5m", `/${"a".repeat(8190)}`, `/${"a".repeat(8191)}`,
  `/${"a/".repeat(4095)}`, `/${"a/".repeat(4096)}`, `/${"ab/".repeat(2000)}?x`, `/${"ab/".repeat(3000)}?x`, `/${"../".repeat(2000)}x`,
];

/** Both paths, the fast one only where it answers. */
function expectSame(target: string) {
  const slow = parseRequestTargetSlow(target);
  expect(parseRequestTarget(target), JSON.stringify(target)).toEqual(slow);
  const fast = canonicalAsIs(target);
  if (fast) expect(fast, JSON.stringify(target)).toEqual(slow);
  return fast !== null;
}

describe("request target fast path", () => {
  it.each(TRICKY.map((t) => [t.length > 60 ? `${t.slice(0, 30)}… (${t.length} chars)` : t, t]))("%j: same as the general path", (_, target) => {
    expectSame(target);
  });

  it("takes the targets that are already canonical, and only those", () => {
    const taken = TRICKY.filter((t) => canonicalAsIs(t) !== null);
    expect(taken).toEqual([
      "/a/b/", "/", "/?", "/?x=1", "/a/?x=1", "/a?x=%zz", "/a?x=%41", "/a?x=%", "/a?x=a+b%20c", "/?x=%E0%A4%A", "/a?x=\u0001", "/a?x=..&y=/../",
      "/a;b", "/a:b@c", "/~u", "/a/...", "/.a", "/a.", "/a..b", "/..a", "/!$&'()*+,;=:@", "/v1/chat/completions", "/v1/messages?beta=true",
      "/api/nodes/abc-123", "/_next/static/chunks/a.js", "/nodes/box1/?range=5m", `/${"a".repeat(8190)}`, `/${"a".repeat(8191)}`,
      `/${"a/".repeat(4095)}`, `/${"ab/".repeat(2000)}?x`,
    ]);
    // The query is checked on the fast path too.
    expect(canonicalAsIs("/a?x=%zz")).toEqual({ ok: false, message: "the query string has an invalid percent-encoding" });
  });

  // Pieces that are each harmless or harmful depending on their neighbours.
  const piece = fc.constantFrom(
    "/", "/", "/", "\\", ".", ".", "..", "%", "%2", "%2e", "%2E", "%2f", "%2F", "%5c", "%25", "%41", "%C3%A9", "%E0%A4%A", "%zz", "%00",
    "a", "b", "e", "E", "f", "F", "2", "~", ";", ":", "@", "+", "=", "&", "'", "*", "?", "#", " ", "\t", "\u0001", "\u007f", "é", "\u0085",
    "v1", "api", "login", "keys",
  );
  const char = fc.constantFrom(..."/.%\\?2eEfFaA~;:@$,+=&!*'()-_ #é\u0000\u001f");

  it("agrees on thousands of generated targets, built from pieces", () => {
    let taken = 0;
    fc.assert(fc.property(fc.boolean(), fc.array(piece, { maxLength: 14 }), (slash, pieces) => {
      if (expectSame((slash ? "/" : "") + pieces.join(""))) taken++;
    }), { numRuns: 4000 });
    // Else the comparison above would say nothing about the fast path.
    expect(taken).toBeGreaterThan(200);
  });

  it("agrees on thousands of generated targets, char by char", () => {
    let taken = 0;
    fc.assert(fc.property(fc.array(char, { maxLength: 20 }), (chars) => {
      if (expectSame(`/${chars.join("")}`)) taken++;
    }), { numRuns: 4000 });
    expect(taken).toBeGreaterThan(20);
  });
});
