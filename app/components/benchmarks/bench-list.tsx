"use client";
/** Every benchmark, newest first: what ran where, its progress or best figures; pick two to compare. */
import type { BenchmarkView } from "../../../protocol/benchmarks";
import { benchmarksApi } from "../../lib/benchmarks-api";
import { cx } from "../../lib/cx";
import button from "../../styles/button.module.css";
import table from "../../styles/table.module.css";
import text from "../../styles/text.module.css";
import { Badge, type BadgeTone } from "../badge";
import { RelativeTime } from "../relative-time";
import styles from "./benchmarks.module.css";

const TONE: Record<BenchmarkView["state"], BadgeTone> = { running: "accent", done: "ok", failed: "bad", cancelled: "off" };

export function where(b: BenchmarkView): string {
  const c = b.context;
  if (c.engine) return `${c.engine} · ${c.node} · GPU ${c.gpus.length ? c.gpus.join(",") : "none"}`;
  return c.target ?? "—";
}

const best = (b: BenchmarkView, f: (r: BenchmarkView["runs"][number]) => number | null) =>
  b.runs.reduce<number | null>((acc, r) => {
    const v = f(r);
    return v === null ? acc : acc === null ? v : Math.max(acc, v);
  }, null);

export function BenchList({ list, selected, onToggle, onCancel, onRemove }: {
  list: readonly BenchmarkView[];
  selected: readonly string[];
  onToggle(id: string): void;
  onCancel(id: string): void;
  onRemove(id: string): void;
}) {
  if (list.length === 0) return <p className={cx(text.muted, text.small)}>No benchmarks yet. Run one above, or with <code>switchyard bench MODEL</code>.</p>;
  return (
    <div className={table.wrap}>
      <table className={table.table} data-testid="bench-list">
        <thead>
          <tr>
            <th aria-label="compare" />
            <th>When</th>
            <th>Model</th>
            <th>Where</th>
            <th>Levels</th>
            <th>State</th>
            <th className={table.num}>Best tok/s per req</th>
            <th className={table.num}>Best tok/s total</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((b) => {
            const p = b.progress;
            return (
              <tr key={b.id} data-testid="bench-row" data-id={b.id} data-state={b.state} data-model={b.model}>
                <td>
                  <input type="checkbox" aria-label={`compare ${b.model}`} checked={selected.includes(b.id)} onChange={() => onToggle(b.id)} disabled={b.runs.length === 0} data-testid="bench-select" />
                </td>
                <td className={text.muted}><RelativeTime ts={b.createdAt} /></td>
                <td>{b.model}</td>
                <td className={text.muted} title={b.context.modelFile ?? undefined}>{where(b)}</td>
                <td className={text.mono}>{b.params.concurrency.join(",")}</td>
                <td>
                  <Badge tone={TONE[b.state]} dot pulse={b.state === "running"} title={b.error ?? undefined}>{b.state}</Badge>
                  {p && (
                    <span className={cx(text.small, text.muted, styles.progress)} data-testid="bench-progress">
                      {" "}c={p.concurrency}: {p.done}/{p.total}{p.failed ? `, ${p.failed} failed` : ""}
                    </span>
                  )}
                </td>
                <td className={table.num}>{best(b, (r) => r.outputTokensPerSec)?.toFixed(1) ?? "—"}</td>
                <td className={table.num}>{best(b, (r) => r.aggregateTokensPerSec)?.toFixed(1) ?? "—"}</td>
                <td className={table.actions}>
                  {b.state === "running" ? (
                    <button type="button" className={cx(button.btn, button.small, button.danger)} onClick={() => onCancel(b.id)} data-testid="bench-cancel">Cancel</button>
                  ) : (
                    <>
                      <a className={cx(button.btn, button.small)} href={benchmarksApi.exportUrl(b.id, "json")} download data-testid="bench-export-json">JSON</a>
                      <a className={cx(button.btn, button.small)} href={benchmarksApi.exportUrl(b.id, "csv")} download data-testid="bench-export-csv">CSV</a>
                      <button type="button" className={cx(button.btn, button.small, button.ghost, button.danger)} onClick={() => onRemove(b.id)} aria-label={`delete benchmark of ${b.model}`}>✕</button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
