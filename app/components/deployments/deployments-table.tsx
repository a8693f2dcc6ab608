"use client";
/**
 * Every deployment: state, node, GPUs, endpoint, uptime, and the VRAM its processes really hold
 * (per-process telemetry joined through the container's PIDs). Failed ones show why, with the
 * container's last lines. Stop and restart act at once; logs open below. On-demand ones show what
 * they are doing (loading, idle countdown, memory held) and can be loaded and unloaded by hand.
 */
import type { DeploymentView } from "../../../protocol/deployments";
import { cx } from "../../lib/cx";
import { formatMiB } from "../../lib/format";
import { formatUptime } from "../../lib/deployments-api";
import { useNow } from "../../lib/use-now";
import button from "../../styles/button.module.css";
import table from "../../styles/table.module.css";
import text from "../../styles/text.module.css";
import { CopyButton } from "../copy-button";
import styles from "./deployments-table.module.css";
import logs from "./logs.module.css";
import { StateBadge } from "./state-badge";
import { OnDemandDetail } from "./on-demand-detail";

export interface RowActions {
  onLogs(name: string): void;
  onStop(name: string): void;
  onRestart(name: string): void;
  onLoad(name: string): void;
  onUnload(name: string): void;
  busy: ReadonlySet<string>;
}

function Row({ d, now, actions }: { d: DeploymentView; now: number; actions: RowActions }) {
  const busy = actions.busy.has(d.name);
  const problem = (d.state === "failed" || d.state === "unhealthy") && d.reason;
  const od = d.onDemand;
  const loaded = od !== undefined && (d.state !== "standby" || od.sleeping);
  return (
    <>
      <tr data-testid="deployment-row" data-name={d.name}>
        <td>
          <div className={styles.name}>{d.name}</div>
          <div className={cx(text.muted, text.small, styles.model)} title={`${d.model} · ${d.image}`}>
            {d.engine} · {d.model}
          </div>
        </td>
        <td>
          <StateBadge state={d.state} pct={d.progress?.pct} />
          {od?.loadingSince != null && now > 0 && <span className={cx(text.muted, text.small)}> {Math.max(0, Math.round((now - od.loadingSince) / 1000))} s</span>}
          {d.restarts > 0 && <span className={cx(text.muted, text.small)}> ↻{d.restarts}</span>}
        </td>
        <td>
          {d.node}
          {!d.nodeOnline && <span className={cx(text.warnText, text.small)}> (offline)</span>}
        </td>
        <td className={text.mono}>{d.gpus.length ? d.gpus.join(",") : <span className={text.muted}>CPU</span>}</td>
        <td>
          {d.endpoint ? (
            <span className={styles.endpoint}>
              <code data-testid="deployment-endpoint">{d.endpoint}</code>
              <CopyButton text={`${d.endpoint}/v1`} label="Copy /v1" />
            </span>
          ) : (
            <span className={text.muted}>—</span>
          )}
        </td>
        <td className={table.num}>{formatUptime(d, now)}</td>
        <td className={table.num} title="GPU memory its processes hold now (nvidia-smi, per process)">{formatMiB(d.vramMiB)}</td>
        <td className={table.actions}>
          <button type="button" className={cx(button.btn, button.small)} onClick={() => actions.onLogs(d.name)}>
            Logs
          </button>
          {od ? (
            loaded ? (
              <button type="button" className={cx(button.btn, button.small)} disabled={busy} onClick={() => actions.onUnload(d.name)} data-testid="deployment-unload">
                Unload
              </button>
            ) : (
              <button type="button" className={cx(button.btn, button.small)} disabled={busy || od.loadingSince !== null} onClick={() => actions.onLoad(d.name)} data-testid="deployment-load">
                Load
              </button>
            )
          ) : (
            <button type="button" className={cx(button.btn, button.small)} disabled={busy || d.desired === "stopped"} onClick={() => actions.onRestart(d.name)}>
              Restart
            </button>
          )}
          <button type="button" className={cx(button.btn, button.small, button.danger)} disabled={busy} onClick={() => actions.onStop(d.name)} data-testid="deployment-stop">
            Stop
          </button>
        </td>
      </tr>
      {(problem || d.warnings.length > 0 || od) && (
        <tr className={styles.detail}>
          <td colSpan={8}>
            {od && <OnDemandDetail d={d} now={now} />}
            {problem && <div className={cx(text.errorText, text.small)}>{d.reason}</div>}
            {d.warnings.map((w) => (
              <div key={w} className={cx(text.warnText, text.small)}>
                {w}
              </div>
            ))}
            {problem && d.logs.length > 0 && (
              <details>
                <summary className={cx(text.muted, text.small)}>last {d.logs.length} log lines</summary>
                <pre className={cx(logs.logs, logs.short)}>{d.logs.join("\n")}</pre>
              </details>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

export function DeploymentsTable({ list, actions }: { list: DeploymentView[]; actions: RowActions }) {
  const now = useNow();
  if (list.length === 0) {
    return <p className={cx(text.muted, text.small, text.pad)} data-testid="no-deployments">No deployments yet. Click “+ Deploy a model”, or use the command the form shows (switchyard deploy …).</p>;
  }
  return (
    <div className={table.wrap}>
      <table className={cx(table.table, styles.table)} data-testid="deployments-table">
        <thead>
          <tr>
            <th>Deployment</th>
            <th>State</th>
            <th>Node</th>
            <th>GPUs</th>
            <th>Endpoint</th>
            <th className={table.num}>Uptime</th>
            <th className={table.num}>VRAM</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((d) => (
            <Row key={d.id} d={d} now={now} actions={actions} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
