"use client";
/** Measured vs estimated: what ready deployments really held on their GPUs, beside the estimate. */
import { useQuery } from "@tanstack/react-query";
import { fitApi, fitKeys } from "../../lib/fit-api";
import { formatBytes, formatRelativeTime } from "../../lib/format";
import { useNow } from "../../lib/use-now";

export function CalibrationTable() {
  const q = useQuery({ queryKey: fitKeys.calibrations, queryFn: fitApi.calibrations, refetchInterval: 30_000 });
  const now = useNow();
  if (q.isError) return <p className="error-text">{q.error.message}</p>;
  if (!q.data) return <p className="muted">Loading…</p>;
  if (q.data.length === 0) {
    return <p className="muted">No measurements yet. Each deployment that becomes ready on a GPU is measured (its processes' memory) and compared here; later estimates of the same model and engine are corrected by it.</p>;
  }
  return (
    <div className="table-wrap">
      <table className="table" data-testid="fit-calibrations">
        <thead>
          <tr>
            <th>Deployment</th>
            <th>Model</th>
            <th>Engine</th>
            <th>Where</th>
            <th className="num">Estimated</th>
            <th className="num">Measured</th>
            <th className="num">Error</th>
            <th className="num">When</th>
          </tr>
        </thead>
        <tbody>
          {q.data.map((c) => (
            <tr key={c.id}>
              <td>{c.deployment}</td>
              <td className="mono" title={c.model}>{c.model}</td>
              <td>{c.engine}</td>
              <td>{c.node} · GPU {c.gpus.join(",")}</td>
              <td className="num">{formatBytes(c.estimatedBytes)}</td>
              <td className="num">{formatBytes(c.measuredBytes)}</td>
              <td className={`num ${Math.abs(c.error) > 0.15 ? "warn-text" : ""}`}>{c.error >= 0 ? "+" : ""}{(c.error * 100).toFixed(1)}%</td>
              <td className="num muted">{formatRelativeTime(c.at, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
