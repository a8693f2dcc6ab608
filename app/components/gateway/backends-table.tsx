import type { BackendView } from "../../../protocol/gateway";
import { cx } from "../../lib/cx";
import table from "../../styles/table.module.css";
import panel from "../../styles/panel.module.css";
import text from "../../styles/text.module.css";
import { RelativeTime } from "../relative-time";
import styles from "./backends-table.module.css";
import gw from "./gateway.module.css";
import { HealthBadge } from "./health-badge";

/** Every backend the gateway can send to, with its active check and circuit breaker. */
export function BackendsTable({ backends }: { backends: BackendView[] }) {
  if (backends.length === 0) {
    return <div className={cx(panel.empty, text.muted)}>No backends yet: add them to the config file (SWITCHYARD_CONFIG) or deploy a model.</div>;
  }
  return (
    <div className={table.wrap}>
      <table className={cx(table.table, gw.table)} data-testid="gw-backends">
        <thead>
          <tr>
            <th>Backend</th><th>Health</th><th>Circuit</th><th className={table.num}>In flight</th><th>Check</th><th>Endpoint</th>
          </tr>
        </thead>
        <tbody>
          {backends.map((b) => (
            <tr key={b.name}>
              <td>
                <span className={gw.name}>{b.name}</span>
                <span className={cx(text.muted, text.small)}> · {b.api} · {b.source === "deployment" ? "deployment" : b.kind}</span>
              </td>
              <td><HealthBadge availability={b.availability} title={b.error ?? undefined} /></td>
              <td className={text.small}>
                {b.breaker.state === "closed" ? <span className={text.muted}>closed</span> : (
                  <span className={text.warnText}>
                    {b.breaker.state}
                    {b.breaker.state === "open" && b.breaker.retryInMs > 0 ? ` · retry in ${Math.ceil(b.breaker.retryInMs / 1000)} s` : ""}
                    {b.breaker.reason ? ` (${b.breaker.reason})` : ""}
                  </span>
                )}
              </td>
              <td className={table.num}>{b.outstanding}</td>
              <td className={text.small}>
                {b.lastCheckAt ? <><RelativeTime ts={b.lastCheckAt} />{b.latencyMs !== null ? ` · ${b.latencyMs} ms` : ""}</> : <span className={text.muted}>—</span>}
                {b.error && <div className={cx(text.errorText, styles.error)} title={b.error}>{b.error}</div>}
              </td>
              <td className={cx(text.mono, text.small, styles.url)}>{b.url}{b.hasKey ? <span className={text.muted}> · key set</span> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
