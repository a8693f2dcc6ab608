"use client";
/**
 * What an on-demand deployment is doing: loading (for how long, with its engine's last lines as
 * they come), or loaded (last request, when it unloads if nothing else arrives), what memory it
 * holds and what its start needs, and why its last load failed.
 */
import { useQuery } from "@tanstack/react-query";
import type { DeploymentView } from "../../../protocol/deployments";
import { formatDuration } from "../../../protocol/duration";
import { cx } from "../../lib/cx";
import { deploymentsApi } from "../../lib/deployments-api";
import { formatBytes } from "../../lib/format";
import text from "../../styles/text.module.css";
import { RelativeTime } from "../relative-time";
import logs from "./logs.module.css";
import styles from "./on-demand-detail.module.css";

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

function LoadingTail({ name }: { name: string }) {
  const tail = useQuery({ queryKey: ["deployment-tail", name], queryFn: () => deploymentsApi.tail(name), refetchInterval: 1500 });
  if (!tail.data?.length) return null;
  return <pre className={cx(logs.logs, logs.short)} data-testid="ondemand-tail">{tail.data.join("\n")}</pre>;
}

export function OnDemandDetail({ d, now }: { d: DeploymentView; now: number }) {
  const od = d.onDemand!;
  const loading = od.loadingSince !== null;
  const parts: React.ReactNode[] = [];
  if (loading) parts.push(<span key="loading">loading for {formatDuration(Math.max(0, now - od.loadingSince!))}{od.waiting > 0 ? `, ${od.waiting} request${od.waiting === 1 ? "" : "s"} waiting` : ""}</span>);
  parts.push(<span key="last">last request <RelativeTime ts={od.lastRequestAt} /></span>);
  if (od.inFlight > 0) parts.push(<span key="busy">{od.inFlight} in flight</span>);
  if (od.idleUnloadAt !== null && now > 0) parts.push(<span key="idle" data-testid="ondemand-idle">unloads in {formatDuration(Math.max(0, od.idleUnloadAt - now))}</span>);
  else if (!loading && d.state === "standby") parts.push(<span key="cold">{od.sleeping ? "asleep: wakes on the next request" : "nothing runs: loads on the next request"}</span>);
  if (od.held) parts.push(<span key="held" data-testid="ondemand-held">holds {od.held.gpuBytes > 0 ? `${formatBytes(od.held.gpuBytes)} GPU` : ""}{od.held.gpuBytes > 0 && od.held.cpuBytes > 0 ? " + " : ""}{od.held.cpuBytes > 0 ? `${formatBytes(od.held.cpuBytes)} CPU` : ""}{od.held.gpuBytes + od.held.cpuBytes === 0 ? "—" : ""}</span>);
  if (od.estimate) parts.push(<span key="needs">needs {formatBytes(sum(od.estimate.perGpuBytes) || od.estimate.cpuBytes)}</span>);
  parts.push(<span key="policy" className={text.muted}>idle {formatDuration(od.idleTimeoutS * 1000)} · unload by {od.unload}{od.placedAtLoad ? " · placed at load" : ""}</span>);
  const failed = od.lastLoad && !od.lastLoad.ok ? od.lastLoad : null;
  return (
    <div className={styles.detail} data-testid="ondemand-detail">
      <div className={cx(text.small, styles.line)}>
        <span className={styles.tag}>on demand</span>
        {parts}
      </div>
      {loading && <LoadingTail name={d.name} />}
      {failed && d.state === "standby" && (
        <details className={text.small}>
          <summary className={text.errorText}>the last load failed: {failed.error}</summary>
          {failed.logs.length > 0 && <pre className={cx(logs.logs, logs.short)}>{failed.logs.join("\n")}</pre>}
        </details>
      )}
    </div>
  );
}
