"use client";
/** The prompt box: Send (or Ctrl+Enter / ⌘+Enter) sends it to every model on the page; Stop cancels. */
import { cx } from "../../lib/cx";
import button from "../../styles/button.module.css";
import form from "../../styles/form.module.css";
import text from "../../styles/text.module.css";
import styles from "./playground.module.css";

export function Composer({ value, onChange, onSend, onStop, busy, canSend }: {
  value: string;
  onChange(v: string): void;
  onSend(): void;
  onStop(): void;
  busy: boolean;
  canSend: boolean;
}) {
  return (
    <form
      className={styles.composer}
      onSubmit={(e) => {
        e.preventDefault();
        onSend();
      }}
    >
      <label htmlFor="pg-prompt" className={text.label}>Prompt</label>
      <textarea
        id="pg-prompt"
        className={form.input}
        rows={3}
        value={value}
        placeholder="Ask something… (Ctrl+Enter sends)"
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            onSend();
          }
        }}
        data-testid="pg-prompt"
      />
      <div className={styles.composerActions}>
        <span className={cx(text.small, text.muted)}>Ctrl+Enter sends to every model on the page</span>
        {busy ? (
          <button type="button" className={button.btn} onClick={onStop} data-testid="pg-stop-answer">Stop</button>
        ) : (
          <button type="submit" className={cx(button.btn, button.primary)} disabled={!canSend} data-testid="pg-send">Send</button>
        )}
      </div>
    </form>
  );
}
