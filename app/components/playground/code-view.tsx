"use client";
/** "View as code": the current request for one model as curl, SDK calls or Claude Code's environment. */
import { useState } from "react";
import { SNIPPET_LABELS, snippet, type SnippetKind } from "../../lib/playground/code-snippets";
import type { ChatSettings } from "../../lib/playground/chat-types";
import { cx } from "../../lib/cx";
import form from "../../styles/form.module.css";
import text from "../../styles/text.module.css";
import { CopyButton } from "../copy-button";
import styles from "./playground.module.css";

const KINDS = Object.keys(SNIPPET_LABELS) as SnippetKind[];

export function CodeView({ model, settings, prompt }: { model: string; settings: ChatSettings; prompt: string }) {
  const [kind, setKind] = useState<SnippetKind>("curl");
  const code = snippet(kind, { baseUrl: typeof window === "undefined" ? "" : window.location.origin, model, settings, prompt });
  return (
    <div className={styles.codeView} data-testid="code-view">
      <div className={styles.codeTabs}>
        <div className={form.segmented} role="tablist">
          {KINDS.map((k) => (
            <button key={k} type="button" role="tab" aria-selected={k === kind} className={cx(form.seg, k === kind && form.active)} onClick={() => setKind(k)} data-testid={`code-tab-${k}`}>
              {SNIPPET_LABELS[k]}
            </button>
          ))}
        </div>
        <CopyButton text={code} />
      </div>
      <pre className={styles.code} data-testid="code-snippet" data-kind={kind}>{code}</pre>
      <p className={cx(text.small, text.muted)}>
        Replace $SWITCHYARD_API_KEY with a gateway key (API keys page). The playground itself uses your dashboard session.
      </p>
    </div>
  );
}
