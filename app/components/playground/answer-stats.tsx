/** The figures under an answer: time to first token, decode speed, tokens in and out, who answered. */
import type { AnswerStats as Stats } from "../../lib/playground/chat-types";
import { cx } from "../../lib/cx";
import text from "../../styles/text.module.css";
import styles from "./playground.module.css";

const ms = (v: number | null) => (v === null ? "—" : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

export function AnswerStats({ stats }: { stats: Stats }) {
  return (
    <div className={cx(styles.stats, text.small, text.muted)} data-testid="answer-stats">
      <span title="time to first token" data-testid="answer-ttft" data-value={stats.ttftMs ?? ""}>TTFT {ms(stats.ttftMs)}</span>
      <span title="decode speed: (output tokens − 1) / (last token − first token)" data-testid="answer-tps" data-value={stats.tokensPerSec ?? ""}>
        {stats.tokensPerSec === null ? "— tok/s" : `${stats.tokensPerSec.toFixed(1)} tok/s`}
      </span>
      <span data-testid="answer-tokens">
        {stats.inputTokens ?? "—"} in · {stats.outputTokens ?? "—"} out
      </span>
      {stats.backend && (
        <span data-testid="answer-backend" data-backend={stats.backend} title={stats.target ?? undefined}>
          via {stats.target ?? stats.backend}
        </span>
      )}
      {stats.failovers > 0 && (
        <span className={text.warnText} data-testid="answer-failovers">
          {stats.failovers} failover{stats.failovers > 1 ? "s" : ""}{stats.tried.length ? ` (tried ${stats.tried.join(", ")})` : ""}
        </span>
      )}
    </div>
  );
}
