"use client";
/** One model's column: its Model control, the conversation with it, and each answer's figures. */
import { useEffect, useRef, useState } from "react";
import type { ChatMessage, ChatSettings, Pane } from "../../lib/playground/chat-types";
import { cx } from "../../lib/cx";
import button from "../../styles/button.module.css";
import form from "../../styles/form.module.css";
import text from "../../styles/text.module.css";
import { Badge } from "../badge";
import { AnswerStats } from "./answer-stats";
import { CodeView } from "./code-view";
import { Markdown } from "./markdown";
import styles from "./playground.module.css";

export interface ModelPaneProps {
  index: number;
  pane: Pane;
  models: readonly string[];
  /** Models whose deployment is not ready yet, with what it is doing (standby, starting, loading): the first answer waits for it. */
  loading: ReadonlyMap<string, string>;
  busy: boolean;
  settings: ChatSettings;
  prompt: string;
  onModel(model: string): void;
  onRemove?: () => void;
}

function Message({ m, streaming }: { m: ChatMessage; streaming: boolean }) {
  if (m.role === "user") return <div className={styles.user} data-testid="user-message">{m.content}</div>;
  return (
    <div className={styles.answer} data-testid="answer" data-streaming={streaming || undefined}>
      {m.content ? <Markdown text={m.content} /> : streaming ? <span className={text.muted}>waiting for the first token…</span> : null}
      {m.error && <p className={text.errorText} data-testid="answer-error">{m.error}</p>}
      {m.stats && <AnswerStats stats={m.stats} />}
    </div>
  );
}

export function ModelPane({ index, pane, models, loading, busy, settings, prompt, onModel, onRemove }: ModelPaneProps) {
  const [showCode, setShowCode] = useState(false);
  const id = `pg-model-${index}`;
  const end = useRef<HTMLDivElement>(null);
  const last = pane.messages[pane.messages.length - 1];
  useEffect(() => {
    // A block body: newer browsers return a promise from scrollIntoView, which React would take for a cleanup.
    end.current?.scrollIntoView({ block: "nearest" });
  }, [last?.content]);
  const options = models.includes(pane.model) || !pane.model ? models : [pane.model, ...models];
  return (
    <section className={styles.pane} data-testid="pane" data-model={pane.model}>
      <header className={styles.paneHead}>
        <label htmlFor={id} className={text.label}>{index === 0 ? "Model" : "Compare with"}</label>
        <select id={id} className={cx(form.input, form.compact)} value={pane.model} onChange={(e) => onModel(e.target.value)} disabled={busy}>
          {!pane.model && <option value="">choose…</option>}
          {options.map((m) => <option key={m} value={m}>{m}</option>)}
        </select>
        {loading.has(pane.model) && <Badge tone="accent" dot pulse data-testid="pane-loading">{loading.get(pane.model)}</Badge>}
        <button type="button" className={cx(button.btn, button.small)} onClick={() => setShowCode(!showCode)} aria-expanded={showCode} data-testid="view-code" disabled={!pane.model}>
          {showCode ? "Hide code" : "View as code"}
        </button>
        {onRemove && (
          <button type="button" className={cx(button.btn, button.small, button.ghost)} onClick={onRemove} disabled={busy} aria-label={`Remove ${pane.model || "this model"}`}>
            ✕
          </button>
        )}
      </header>
      {showCode && pane.model && <CodeView model={pane.model} settings={settings} prompt={prompt} />}
      <div className={styles.transcript}>
        {pane.messages.length === 0 && <p className={cx(text.muted, text.small)}>Answers from {pane.model || "the model"} appear here.</p>}
        {pane.messages.map((m, i) => <Message key={i} m={m} streaming={busy && i === pane.messages.length - 1 && m.role === "assistant"} />)}
        <div ref={end} />
      </div>
    </section>
  );
}
