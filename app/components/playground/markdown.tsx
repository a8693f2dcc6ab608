"use client";
/**
 * Renders a model's answer from the Markdown tree (app/lib/playground/markdown.ts) as React
 * elements: every text goes through React's escaping, links open in a new tab without access to
 * this page, and no HTML from the answer is ever set as HTML.
 */
import { memo, type ReactNode } from "react";
import { parseMarkdown, type Block, type Inline } from "../../lib/playground/markdown";
import { CopyButton } from "../copy-button";
import styles from "./markdown.module.css";

function inline(nodes: readonly Inline[], key = ""): ReactNode[] {
  return nodes.map((n, i) => {
    const k = `${key}${i}`;
    switch (n.t) {
      case "text":
        return n.v;
      case "code":
        return <code key={k} className={styles.inlineCode}>{n.v}</code>;
      case "strong":
        return <strong key={k}>{inline(n.c, `${k}.`)}</strong>;
      case "em":
        return <em key={k}>{inline(n.c, `${k}.`)}</em>;
      case "br":
        return <br key={k} />;
      case "link":
        return (
          <a key={k} href={n.href} target="_blank" rel="noopener noreferrer nofollow" className={styles.link}>
            {inline(n.c, `${k}.`)}
          </a>
        );
    }
  });
}

function block(b: Block, i: number): ReactNode {
  switch (b.t) {
    case "p":
      return <p key={i}>{inline(b.c)}</p>;
    case "h": {
      const Tag = (`h${Math.min(6, Math.max(3, b.level + 2))}`) as "h3" | "h4" | "h5" | "h6";
      return <Tag key={i} className={styles.heading}>{inline(b.c)}</Tag>;
    }
    case "code":
      return (
        <div key={i} className={styles.codeBlock} data-testid="md-code">
          <div className={styles.codeHead}>
            <span>{b.lang || "code"}</span>
            <CopyButton text={b.v} />
          </div>
          <pre><code>{b.v}</code></pre>
        </div>
      );
    case "list": {
      const items = b.items.map((it, j) => <li key={j}>{inline(it)}</li>);
      return b.ordered ? <ol key={i} start={b.start}>{items}</ol> : <ul key={i}>{items}</ul>;
    }
    case "quote":
      return <blockquote key={i} className={styles.quote}>{b.c.map(block)}</blockquote>;
    case "hr":
      return <hr key={i} className={styles.rule} />;
  }
}

function MarkdownImpl({ text }: { text: string }) {
  return <div className={styles.md}>{parseMarkdown(text).map(block)}</div>;
}

export const Markdown = memo(MarkdownImpl);
