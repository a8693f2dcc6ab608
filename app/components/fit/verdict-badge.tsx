import type { FitVerdict } from "../../../protocol/fit";
import { VERDICTS } from "./fit-view";
import styles from "./verdict-badge.module.css";

export function VerdictBadge({ verdict }: { verdict: FitVerdict }) {
  const v = VERDICTS[verdict];
  return (
    <span className={styles.verdict} style={{ color: v.color, borderColor: v.color }} title={v.hint} data-testid="fit-verdict" data-verdict={verdict}>
      {v.label}
    </span>
  );
}
