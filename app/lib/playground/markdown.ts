/**
 * A small Markdown reader for model answers: paragraphs, headings, fenced code, lists, quotes,
 * rules; inline code, bold, italics, links. Model output is untrusted, so this makes a tree that the
 * renderer turns into React elements (React escapes every text): no HTML passes through, and a link
 * keeps its target only when it is http(s) or mailto. Unclosed fences (an answer still streaming)
 * are code to the end. Pure.
 */

export type Inline =
  | { t: "text"; v: string }
  | { t: "code"; v: string }
  | { t: "strong"; c: Inline[] }
  | { t: "em"; c: Inline[] }
  | { t: "link"; href: string; c: Inline[] }
  | { t: "br" };

export type Block =
  | { t: "p"; c: Inline[] }
  | { t: "h"; level: number; c: Inline[] }
  | { t: "code"; lang: string; v: string }
  | { t: "list"; ordered: boolean; start: number; items: Inline[][] }
  | { t: "quote"; c: Block[] }
  | { t: "hr" };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
/** Nested quotes beyond this are plain text: a hostile answer cannot make the renderer recurse forever. */
const MAX_DEPTH = 8;

export function parseMarkdown(source: string, depth = 0): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ t: "p", c: parseInline(para.join("\n")) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const marker = fence[1]!;
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trimStart().startsWith(marker)) body.push(lines[i++]!);
      blocks.push({ t: "code", lang: fence[2] ?? "", v: body.join("\n") });
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({ t: "h", level: heading[1]!.length, c: parseInline(heading[2]!) });
      continue;
    }
    if (RULE.test(line)) {
      flush();
      blocks.push({ t: "hr" });
      continue;
    }
    if (depth < MAX_DEPTH && QUOTE.test(line)) {
      flush();
      const inner: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i]!)) inner.push(QUOTE.exec(lines[i++]!)![1]!);
      i--;
      blocks.push({ t: "quote", c: parseMarkdown(inner.join("\n"), depth + 1) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = NUMBERED.exec(line);
    if (bullet || numbered) {
      flush();
      const ordered = !bullet;
      const items: string[] = [];
      const start = numbered ? Number(numbered[1]) : 1;
      while (i < lines.length) {
        const l = lines[i]!;
        const m = ordered ? NUMBERED.exec(l) : BULLET.exec(l);
        if (m) items.push(ordered ? m[2]! : m[1]!);
        else if (l.trim() !== "" && /^\s{2,}/.test(l) && items.length) items[items.length - 1] += `\n${l.trim()}`;
        else break;
        i++;
      }
      i--;
      blocks.push({ t: "list", ordered, start, items: items.map((it) => parseInline(it)) });
      continue;
    }
    para.push(line);
  }
  flush();
  return blocks;
}

/** Only these schemes survive as links; anything else (javascript:, data:, vbscript:) stays text. */
export function safeHref(raw: string): string | null {
  const href = raw.trim();
  if (!/^(https?:\/\/|mailto:)/i.test(href)) return null;
  try {
    const url = new URL(href);
    return url.protocol === "http:" || url.protocol === "https:" || url.protocol === "mailto:" ? url.href : null;
  } catch {
    return null;
  }
}

const LINK = /^!?\[([^\]\n]{0,1000})\]\(([^)\s]{0,2000})(?:\s+"[^"]*")?\)/;
const AUTOLINK = /^https?:\/\/[^\s<>()"'`]+[^\s<>()"'`.,;:!?]/;

/** Emphasis, code, links; everything else is text. */
export function parseInline(text: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let buf = "";
  const push = (node: Inline) => {
    if (buf) out.push({ t: "text", v: buf });
    buf = "";
    out.push(node);
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "\n") {
      push({ t: "br" });
      i++;
      continue;
    }
    if (ch === "\\" && i + 1 < text.length && /[\\`*_[\]()#>!-]/.test(text[i + 1]!)) {
      buf += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === "`") {
      const ticks = /^`+/.exec(text.slice(i))![0];
      const end = text.indexOf(ticks, i + ticks.length);
      if (end !== -1) {
        push({ t: "code", v: text.slice(i + ticks.length, end).trim() || text.slice(i + ticks.length, end) });
        i = end + ticks.length;
        continue;
      }
    }
    if (ch === "[" || (ch === "!" && text[i + 1] === "[")) {
      const m = LINK.exec(text.slice(i, i + 3100));
      if (m) {
        const href = safeHref(m[2]!);
        const label = depth < MAX_DEPTH ? parseInline(m[1]!, depth + 1) : [{ t: "text" as const, v: m[1]! }];
        if (href) push({ t: "link", href, c: label });
        else buf += m[0];
        i += m[0].length;
        continue;
      }
    }
    if (ch === "h") {
      const m = AUTOLINK.exec(text.slice(i, i + 2100));
      if (m && (i === 0 || /[\s(]/.test(text[i - 1]!))) {
        const href = safeHref(m[0]);
        if (href) {
          push({ t: "link", href, c: [{ t: "text", v: m[0] }] });
          i += m[0].length;
          continue;
        }
      }
    }
    if ((ch === "*" || ch === "_") && depth < MAX_DEPTH) {
      const strong = text.startsWith(ch + ch, i);
      const marker = strong ? ch + ch : ch;
      const end = text.indexOf(marker, i + marker.length);
      const inner = end === -1 ? "" : text.slice(i + marker.length, end);
      // Not emphasis: "2 * 3 * 4", snake_case_names, an unclosed marker while streaming.
      const opens = inner !== "" && !/^\s/.test(inner) && !/\s$/.test(inner) && !(ch === "_" && /\w/.test(text[i - 1] ?? ""));
      if (opens) {
        push({ t: strong ? "strong" : "em", c: parseInline(inner, depth + 1) });
        i = end + marker.length;
        continue;
      }
    }
    buf += ch;
    i++;
  }
  if (buf) out.push({ t: "text", v: buf });
  return out;
}
