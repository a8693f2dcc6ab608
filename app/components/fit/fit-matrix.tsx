"use client";
/** Every node's GPUs and GPU sets: free memory, verdict, the largest context, what it needs. */
import type { FitMatrixView } from "../../../protocol/fit";
import { cx } from "../../lib/cx";
import { formatBytes, formatPercent } from "../../lib/format";
import table from "../../styles/table.module.css";
import text from "../../styles/text.module.css";
import styles from "./fit-matrix.module.css";
import { formatSet, formatTokens, groupByNode, sum } from "./fit-view";
import { VerdictBadge } from "./verdict-badge";

export function FitMatrix({ matrix, selected, onSelect }: { matrix: FitMatrixView; selected: number | null; onSelect(index: number): void }) {
  const groups = groupByNode(matrix.cells);
  if (groups.length === 0) return <p className={text.muted}>No node has reported a GPU yet.</p>;
  return (
    <div className={table.wrap}>
      <table className={table.table} data-testid="fit-matrix">
        <thead>
          <tr>
            <th>Node</th>
            <th>GPUs</th>
            <th>GPU</th>
            <th className={table.num}>Free</th>
            <th className={table.num}>Needs</th>
            <th>Verdict</th>
            <th className={table.num}>Max context</th>
            <th className={table.num} title="llama.cpp: free memory left after it; vLLM/SGLang: KV pool beyond the context asked">Headroom</th>
          </tr>
        </thead>
        <tbody>
          {groups.flatMap((g) =>
            g.cells.map(({ cell: c, index }, i) => (
              <tr
                key={`${c.node}/${c.gpus.join(",")}`}
                className={cx(styles.row, index === selected && styles.selected)}
                onClick={() => onSelect(index)}
                data-testid="fit-cell"
                data-best={index === matrix.best || undefined}
                data-node={c.node}
                data-gpus={c.gpus.join(",")}
                data-verdict={c.verdict}
                title={c.reason ?? undefined}
              >
                <td>{i === 0 ? <span className={g.online ? undefined : text.muted}>{g.node}{g.online ? "" : " (offline)"}</span> : ""}</td>
                <td className={text.mono}>{formatSet(c.gpus)}{c.gpus.length > 1 ? ` · TP ${c.tp}` : ""}</td>
                <td className={cx(text.muted, styles.gpuName)}>{[...new Set(c.gpuNames)].join(", ")}</td>
                <td className={table.num}>{formatBytes(sum(c.freeBytes))} <span className={text.muted}>/ {formatBytes(sum(c.totalBytes))}</span></td>
                <td className={table.num}>{c.estimate ? formatBytes(c.estimate.totalBytes) : "—"}</td>
                <td><VerdictBadge verdict={c.verdict} />{index === matrix.best && <span className={styles.best}> best</span>}</td>
                <td className={table.num}>{formatTokens(c.maxContext)}</td>
                <td className={table.num}>{c.headroom === null || c.verdict === "no" ? "—" : formatPercent(Math.max(0, c.headroom * 100))}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </div>
  );
}
