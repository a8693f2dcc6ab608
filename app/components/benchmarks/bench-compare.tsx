"use client";
/**
 * One or two benchmarks side by side: what each ran on, every concurrency level's figures with the
 * change from the first to the second, and charts of decode speed and time to first token against
 * concurrency.
 */
import { useMemo } from "react";
import type { BenchmarkView, BenchRun } from "../../../protocol/benchmarks";
import { deltaPct } from "../../lib/benchmarks-api";
import { cx } from "../../lib/cx";
import facts from "../../styles/facts.module.css";
import table from "../../styles/table.module.css";
import text from "../../styles/text.module.css";
import styles from "./benchmarks.module.css";
import { XyChart, type XySeries } from "./xy-chart";

const COLORS = ["#4fa3ff", "#f2cc60"] as const;

const METRICS: Array<{ key: string; label: string; get(r: BenchRun): number | null; higherIsBetter: boolean; digits: number }> = [
  { key: "tps", label: "tok/s per request", get: (r) => r.outputTokensPerSec, higherIsBetter: true, digits: 1 },
  { key: "agg", label: "tok/s total", get: (r) => r.aggregateTokensPerSec, higherIsBetter: true, digits: 1 },
  { key: "ttft50", label: "TTFT p50 (ms)", get: (r) => r.ttftMs.p50, higherIsBetter: false, digits: 0 },
  { key: "ttft99", label: "TTFT p99 (ms)", get: (r) => r.ttftMs.p99, higherIsBetter: false, digits: 0 },
  { key: "rps", label: "requests/s", get: (r) => r.requestsPerSec, higherIsBetter: true, digits: 2 },
  { key: "failed", label: "failed", get: (r) => r.failed, higherIsBetter: false, digits: 0 },
];

function Context({ b, color }: { b: BenchmarkView; color: string }) {
  const c = b.context;
  const rows: Array<[string, string]> = [
    ["Model", b.model], ["Target", c.target ?? "—"], ["Engine", c.engine ?? c.backendKind ?? "—"], ["Image", c.image ?? "—"],
    ["Node", c.node ?? "—"], ["GPUs", c.gpus.length ? `${c.gpus.join(",")} · ${[...new Set(c.gpuNames)].join(", ")}` : "—"],
    ["Context", c.ctx ? String(c.ctx) : "—"], ["Model file", c.modelFile ?? "—"],
    ["Prompt / output", `~${b.params.promptTokens} / ${b.params.maxTokens} tokens`], ["When", new Date(b.createdAt).toLocaleString()],
  ];
  return (
    <div className={styles.context} style={{ borderTopColor: color }} data-testid="bench-context">
      <dl className={facts.facts}>
        {rows.map(([k, v]) => <div key={k} className={facts.fact}><dt>{k}</dt><dd title={v}>{v}</dd></div>)}
      </dl>
    </div>
  );
}

export function BenchCompare({ picked }: { picked: readonly BenchmarkView[] }) {
  const levels = useMemo(() => [...new Set(picked.flatMap((b) => b.runs.map((r) => r.concurrency)))].sort((a, b) => a - b), [picked]);
  const at = (b: BenchmarkView, c: number) => b.runs.find((r) => r.concurrency === c) ?? null;
  const name = (b: BenchmarkView, i: number) => (picked.length > 1 ? `${i === 0 ? "A" : "B"} ${b.model}` : b.model);
  const speed = useMemo<XySeries[]>(() => picked.flatMap((b, i) => [
    { label: `${name(b, i)} per request`, color: COLORS[i]!, values: levels.map((c) => at(b, c)?.outputTokensPerSec ?? null) },
    { label: `${name(b, i)} total`, color: COLORS[i]!, dash: true, values: levels.map((c) => at(b, c)?.aggregateTokensPerSec ?? null) },
  ]), [picked, levels]); // eslint-disable-line react-hooks/exhaustive-deps
  const ttft = useMemo<XySeries[]>(() => picked.flatMap((b, i) => [
    { label: `${name(b, i)} p50`, color: COLORS[i]!, values: levels.map((c) => at(b, c)?.ttftMs.p50 ?? null) },
    { label: `${name(b, i)} p99`, color: COLORS[i]!, dash: true, values: levels.map((c) => at(b, c)?.ttftMs.p99 ?? null) },
  ]), [picked, levels]); // eslint-disable-line react-hooks/exhaustive-deps
  const [a, b] = picked;
  return (
    <div data-testid="bench-compare" data-count={picked.length}>
      <div className={styles.contexts}>
        {picked.map((p, i) => <Context key={p.id} b={p} color={COLORS[i]!} />)}
      </div>
      <div className={styles.charts}>
        <div>
          <h3 className={text.label}>Decode speed (tok/s) against concurrency</h3>
          <XyChart xs={levels} series={speed} unit="tok/s" testId="bench-chart-tps" />
        </div>
        <div>
          <h3 className={text.label}>Time to first token (ms) against concurrency</h3>
          <XyChart xs={levels} series={ttft} unit="ms" testId="bench-chart-ttft" />
        </div>
      </div>
      <div className={table.wrap}>
        <table className={table.table} data-testid="bench-compare-table">
          <thead>
            <tr>
              <th>Concurrency</th>
              <th>Metric</th>
              {picked.map((p, i) => <th key={p.id} className={table.num}>{name(p, i)}</th>)}
              {b && <th className={table.num}>B vs A</th>}
            </tr>
          </thead>
          <tbody>
            {levels.flatMap((c) => METRICS.map((m, mi) => {
              // A level only one of the two ran has no change to show.
              const ra = a ? at(a, c) : null;
              const rb = b ? at(b, c) : null;
              const d = ra && rb ? deltaPct(m.get(ra), m.get(rb)) : null;
              const better = d === null ? null : m.higherIsBetter ? d > 0 : d < 0;
              return (
                <tr key={`${c}-${m.key}`} data-testid="bench-compare-row" data-concurrency={c} data-metric={m.key}>
                  <td className={text.mono}>{mi === 0 ? c : ""}</td>
                  <td className={text.muted}>{m.label}</td>
                  {picked.map((p) => {
                    const r = at(p, c);
                    const v = r ? m.get(r) : null;
                    return <td key={p.id} className={table.num}>{v === null || v === undefined ? "—" : v.toFixed(m.digits)}</td>;
                  })}
                  {b && (
                    <td className={cx(table.num, better === null ? text.muted : better ? styles.better : styles.worse)}>
                      {d === null || Math.abs(d) < 0.05 ? "—" : `${d > 0 ? "+" : ""}${d.toFixed(1)}%`}
                    </td>
                  )}
                </tr>
              );
            }))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
