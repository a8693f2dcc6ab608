"use client";
/** The navigation's count of alerts firing now; nothing while all is well. */
import { useQuery } from "@tanstack/react-query";
import { alertKeys, alertsApi } from "./alerts-api";
import styles from "./alerts.module.css";

export function AlertsBadge() {
  const summary = useQuery({ queryKey: alertKeys.summary, queryFn: alertsApi.summary, refetchInterval: 5000 });
  const n = summary.data?.firing ?? 0;
  if (n === 0) return null;
  return <span className={styles.badge} data-testid="nav-alerts-badge" title={`${n} alert${n === 1 ? "" : "s"} firing`}>{n}</span>;
}
