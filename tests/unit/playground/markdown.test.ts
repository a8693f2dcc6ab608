/**
 * The playground's Markdown: what models write renders, and what a hostile answer writes stays
 * text. Rendered to static markup with React, as the page renders it.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseMarkdown, safeHref } from "../../../app/lib/playground/markdown";
import { Markdown } from "../../../app/components/playground/markdown";

const html = (md: string) => renderToStaticMarkup(createElement(Markdown, { text: md }));

describe("Markdown for model answers", () => {
  it("renders headings, emphasis, inline code, lists, quotes and fenced code", () => {
    const out = html("## Plan\n\nUse **bold**, *italics* and `npm test`.\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n```ts\nconst x = 1 < 2;\n```");
    expect(out).toContain("<h4");
    expect(out).toContain("<strong>bold</strong>");
    expect(out).toContain("<em>italics</em>");
    expect(out).toMatch(/<code[^>]*>npm test<\/code>/);
    expect(out).toMatch(/<ul><li>one<\/li><li>two<\/li><\/ul>/);
    expect(out).toMatch(/<ol start="1"><li>first<\/li>/);
    expect(out).toMatch(/<blockquote[^>]*><p>quoted<\/p><\/blockquote>/);
    expect(out).toContain("<pre><code>const x = 1 &lt; 2;</code></pre>");
    expect(out).toContain(">ts<");
  });

  it("treats an unclosed fence (still streaming) as code to the end", () => {
    expect(parseMarkdown("text\n```py\nprint(1)\n")).toEqual([{ t: "p", c: [{ t: "text", v: "text" }] }, { t: "code", lang: "py", v: "print(1)\n" }]);
  });

  it("leaves snake_case, arithmetic and lone markers alone", () => {
    expect(parseMarkdown("a_b_c and 2 * 3 * 4 and **open")).toEqual([{ t: "p", c: [{ t: "text", v: "a_b_c and 2 * 3 * 4 and **open" }] }]);
  });

  it("links http(s) and mailto only, opening without access to the page", () => {
    const out = html("see [docs](https://example.com/a?b=1) and https://example.org/x.");
    expect(out).toContain('<a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer nofollow"');
    expect(out).toContain('href="https://example.org/x"');
    for (const bad of ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox", "//evil.com", "java\tscript:alert(1)"]) {
      expect(safeHref(bad), bad).toBeNull();
      expect(html(`[x](${bad})`), bad).not.toContain("<a ");
    }
  });

  it("never lets HTML through: tags in the answer are text", () => {
    const out = html('<img src=x onerror="alert(1)"> <script>alert(2)</script>\n\n```html\n<iframe src="javascript:alert(3)"></iframe>\n```\n\n**<b onclick=alert(4)>x</b>**');
    expect(out).not.toMatch(/<(img|script|iframe|b)\b/);
    expect(out).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });

  it("renders any input without throwing, with no element or attribute a model could inject", () => {
    const atoms = ["<", ">", "\"", "'", "`", "```", "*", "**", "_", "[", "]", "(", ")", "!", "#", "> ", "- ", "1. ", "\n", "\n\n", "\\", "javascript:", "http://a.b/", "<script>", "onerror=", "&amp;", " ", "x"];
    fc.assert(fc.property(fc.array(fc.constantFrom(...atoms), { maxLength: 60 }), (parts) => {
      const out = html(parts.join(""));
      const tags = [...out.matchAll(/<([a-z0-9]+)/g)].map((m) => m[1]);
      for (const t of tags) expect(["div", "p", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "hr", "br", "a", "span", "button"]).toContain(t);
      for (const href of out.matchAll(/href="([^"]*)"/g)) expect(href[1]).toMatch(/^(https?:\/\/|mailto:)/);
      expect(out).not.toMatch(/<[^>]*\son[a-z]+=/i);
    }), { numRuns: 300 });
  });

  it("does not recurse without bound on nested quotes or emphasis", () => {
    expect(() => html(">".repeat(5000) + " deep")).not.toThrow();
    expect(() => html("*".repeat(20000))).not.toThrow();
    expect(() => html("[".repeat(3000) + "x" + "](http://a.b)".repeat(3000))).not.toThrow();
  });
});
