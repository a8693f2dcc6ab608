import type { FailoverView } from "../../../protocol/gateway";
import { cx } from "../../lib/cx";
import panel from "../../styles/panel.module.css";
import text from "../../styles/text.module.css";
import { RelativeTime } from "../relative-time";
import styles from "./failovers-list.module.css";

/** The latest moves from one target to the next, with why. */
export function FailoversList({ failovers }: { failovers: FailoverView[] }) {
  if (failovers.length === 0) return <div className={cx(panel.empty, text.muted, text.small)}>No failovers recently.</div>;
  return (
    <ul className={styles.list} data-testid="gw-failovers">
      {failovers.slice(0, 20).map((f, i) => (
        <li key={`${f.ts}-${i}`}>
          <span className={cx(text.muted, text.small)}><RelativeTime ts={f.ts} /></span>{" "}
          <span className={text.mono}>{f.model}</span>: <span className={text.mono}>{f.from}</span> → {f.to ? <span className={text.mono}>{f.to}</span> : <span className={text.errorText}>no target left</span>}
          <span className={cx(text.muted, text.small)}> ({f.why})</span>
        </li>
      ))}
    </ul>
  );
}
