"use client";
/** Measured vs estimated: what ready deployments really held on their GPUs, beside the estimate. */
import { useQuery } from "@tanstack/react-query";
import { fitApi, fitKeys } from "../../lib/fit-api";
import { cx } from "../../lib/cx";
import { formatBytes, formatRelativeTime } from "../../lib/format";
import { useNow } from "../../lib/use-now";
import table from "../../styles/table.module.css";
import text from "../../styles/text.module.css";

export function CalibrationTable() {
  const q = useQuery({ queryKey: fitKeys.calibrations, queryFn: fitApi.calibrations, refetchInterval: 30_000 });
  const now = useNow();
  if (q.isError) return <p className={text.errorText}>{q.error.message}</p>;
  if (!q.data) return <p className={text.muted}>Loading…</p>;
  if (q.data.length === 0) {
    return <p className={text.muted}>No measurements yet. Each deployment that becomes ready on a GPU is measured (its processes' memory) and compared here; later estimates of the same model and engine are corrected by it.</p>;
  }
  return (
    <div className={table.wrap}>
      <table className={table.table} data-testid="fit-calibrations">
        <thead>
          <tr>
            <th>Deployment</th>
            <th>Model</th>
            <th>Engine</th>
            <th>Where</th>
            <th className={table.num}>Estimated</th>
            <th className={table.num}>Measured</th>
            <th className={table.num}>Error</th>
            <th className={table.num}>When</th>
          </tr>
        </thead>
        <tbody>
          {q.data.map((c) => (
            <tr key={c.id}>
              <td>{c.deployment}</td>
              <td className={text.mono} title={c.model}>{c.model}</td>
              <td>{c.engine}</td>
              <td>{c.node} · GPU {c.gpus.join(",")}</td>
              <td className={table.num}>{formatBytes(c.estimatedBytes)}</td>
              <td className={table.num}>{formatBytes(c.measuredBytes)}</td>
              <td className={cx(table.num, Math.abs(c.error) > 0.15 && text.warnText)}>{c.error >= 0 ? "+" : ""}{(c.error * 100).toFixed(1)}%</td>
              <td className={cx(table.num, text.muted)}>{formatRelativeTime(c.at, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
