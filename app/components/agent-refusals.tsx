"use client";
/** Agents the hub refused (wrong token, a name taken by another node, a revoked credential): who, from where, why. */
import { useQuery } from "@tanstack/react-query";
import { api, queryKeys } from "../lib/api";
import { cx } from "../lib/cx";
import table from "../styles/table.module.css";
import text from "../styles/text.module.css";
import { RelativeTime } from "./relative-time";
import styles from "./enroll-panel.module.css";

export function AgentRefusals() {
  const q = useQuery({ queryKey: queryKeys.agentRefusals, queryFn: api.agentRefusals, refetchInterval: 10_000 });
  const rows = q.data ?? [];
  return (
    <div className={styles.section} data-testid="agent-refusals">
      <h3>Refused agents</h3>
      {q.isError && (
        <div className={text.errorText} role="alert">
          {q.error.message}
        </div>
      )}
      {rows.length === 0 ? (
        <p className={cx(text.small, text.muted)}>None: no agent was turned away.</p>
      ) : (
        <table className={table.table}>
          <thead>
            <tr>
              <th>Node</th>
              <th>Address</th>
              <th>Last</th>
              <th>Times</th>
              <th>Why</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.node}|${r.address}|${r.code}`} data-testid="agent-refusal">
                <td>{r.node || <span className={text.muted}>(no name)</span>}</td>
                <td>{r.address}</td>
                <td>
                  <RelativeTime ts={r.lastAt} />
                </td>
                <td>{r.count}</td>
                <td className={styles.reason}>
                  <span className={styles.code}>{r.code}</span> {r.message}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
