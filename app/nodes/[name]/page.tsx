"use client";
/** One node: facts, live host stats, per-GPU charts over a chosen range, and its processes. */
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import type { GpuPoint, HistoryRange } from "../../../protocol/live";
import { DashboardShell } from "../../components/dashboard-shell";
import { ErrorBanner } from "../../components/error-banner";
import { GpuCharts } from "../../components/gpu-charts";
import { HostCharts } from "../../components/host-charts";
import { NodeHeader } from "../../components/node-header";
import { ProcessTable } from "../../components/process-table";
import { RangeSelector } from "../../components/range-selector";
import { api, ApiError, queryKeys } from "../../lib/api";
import { formatSpan } from "../../lib/format";
import { isLiveRange, parseRange, refetchMs } from "../../lib/ranges";
import { cx } from "../../lib/cx";
import { useNode } from "../../lib/use-live-fleet";
import panel from "../../styles/panel.module.css";
import text from "../../styles/text.module.css";
import styles from "./page.module.css";

const DEFAULT_RANGE: HistoryRange = "15m";

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The range lives in `?range=` so a chosen view survives reloads and can be shared. */
function useRangeParam(): [HistoryRange, (r: HistoryRange) => void] {
  const [range, setRange] = useState<HistoryRange>(DEFAULT_RANGE);
  useEffect(() => {
    setRange(parseRange(new URLSearchParams(window.location.search).get("range"), DEFAULT_RANGE));
  }, []);
  const update = (r: HistoryRange) => {
    setRange(r);
    const url = new URL(window.location.href);
    if (r === DEFAULT_RANGE) url.searchParams.delete("range");
    else url.searchParams.set("range", r);
    window.history.replaceState(window.history.state, "", url);
  };
  return [range, update];
}

export default function NodePage() {
  const params = useParams<{ name: string }>();
  const name = safeDecode(params.name ?? "");
  const [range, setRange] = useRangeParam();

  const liveNode = useNode(name);
  const nodeQuery = useQuery({ queryKey: queryKeys.node(name), queryFn: () => api.node(name), enabled: name !== "" });
  const node = liveNode ?? nodeQuery.data;

  const queryClient = useQueryClient();
  const historyOf = (r: HistoryRange) => ({ queryKey: queryKeys.history(name, r), queryFn: () => api.history(name, r) });
  // Ask for the new range from the click itself: the render of every chart in the new window
  // (with the old points until the answer comes) would otherwise go first.
  const chooseRange = (r: HistoryRange) => {
    void queryClient.prefetchQuery(historyOf(r));
    setRange(r);
  };
  const historyQuery = useQuery({
    ...historyOf(range),
    enabled: name !== "" && node !== undefined,
    placeholderData: keepPreviousData,
    refetchInterval: refetchMs(range),
  });
  const history = historyQuery.data;
  const gpuHistory = useMemo(() => {
    const m = new Map<string, GpuPoint[]>();
    for (const g of history?.gpus ?? []) m.set(g.uuid, g.points);
    return m;
  }, [history]);
  const resolutionS = history?.resolutionS ?? (isLiveRange(range) ? 1 : 60);
  // Downsampled ranges have a point pair per bucket: gaps are judged at that spacing.
  const spacingS = history?.bucketS ?? resolutionS;

  const notFound = !node && nodeQuery.error instanceof ApiError && nodeQuery.error.status === 404;

  return (
    <DashboardShell
      crumb={
        <>
          <Link href="/">Fleet</Link>
          <span className={text.faint}>/</span>
          <span>{name}</span>
        </>
      }
    >
      <div data-testid="node-page" data-node-name={name}>
        {notFound ? (
          <section className={cx(panel.panel, panel.empty)}>
            <h2>No node named “{name}”</h2>
            <p className={text.muted}>
              It may have been removed. <Link href="/">Back to the fleet</Link>
            </p>
          </section>
        ) : !node ? (
          nodeQuery.isError ? (
            <ErrorBanner title="Could not load this node" detail={nodeQuery.error.message} onRetry={() => void nodeQuery.refetch()} />
          ) : (
            <div className={cx(panel.loading, text.muted)}>Loading {name}…</div>
          )
        ) : (
          <>
            <NodeHeader node={node} />
            <div className={styles.toolbar}>
              <h2 className={styles.sectionTitle}>History</h2>
              <RangeSelector value={range} onChange={chooseRange} />
              <span className={cx(text.muted, text.small)}>
                {historyQuery.isFetching && !history
                  ? "loading…"
                  : `${isLiveRange(range) ? "live · " : ""}${resolutionS} s resolution${
                      spacingS > resolutionS ? ` · low–high per ${formatSpan(spacingS)}` : ""
                    }${isLiveRange(range) ? "" : ` · refreshes every ${Math.round(refetchMs(range) / 60_000)} min`}`}
              </span>
            </div>
            {historyQuery.isError && (
              <ErrorBanner
                title="Could not load history"
                detail={historyQuery.error.message}
                onRetry={() => void historyQuery.refetch()}
              />
            )}
            <HostCharts
              nodeName={node.name}
              host={node.host}
              history={history?.host}
              resolutionS={spacingS}
              range={range}
              online={node.online}
            />
            {node.gpus.map((g) => (
              <GpuCharts
                key={g.uuid}
                gpu={g}
                history={gpuHistory.get(g.uuid)}
                resolutionS={spacingS}
                range={range}
                online={node.online}
              />
            ))}
            <ProcessTable processes={node.processes} gpus={node.gpus} />
          </>
        )}
      </div>
    </DashboardShell>
  );
}
