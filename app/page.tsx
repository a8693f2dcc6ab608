"use client";
/** The fleet overview: totals, then every node with every GPU, updating live. */
import { useQuery } from "@tanstack/react-query";
import { DashboardShell } from "./components/dashboard-shell";
import { EmptyFleet } from "./components/empty-fleet";
import { ErrorBanner } from "./components/error-banner";
import { FleetTotals } from "./components/fleet-totals";
import { NodeCard } from "./components/node-card";
import { api, queryKeys } from "./lib/api";
import { fleetStore } from "./lib/fleet-store";
import { cx } from "./lib/cx";
import { useFleetLoaded, useNodeNames } from "./lib/use-live-fleet";
import styles from "./page.module.css";
import panel from "./styles/panel.module.css";
import text from "./styles/text.module.css";

export default function FleetPage() {
  // REST gives the first paint (and a clear error) before the socket's snapshot arrives. The
  // component reads only the query's status, so live cache updates do not re-render the page.
  const nodesQuery = useQuery({
    queryKey: queryKeys.nodes,
    queryFn: async () => {
      const nodes = await api.nodes();
      fleetStore.applyList(nodes, { fromSocket: false });
      return nodes;
    },
  });
  const names = useNodeNames();
  const loaded = useFleetLoaded();

  return (
    <DashboardShell>
      <FleetTotals />
      {nodesQuery.isError && !loaded && (
        <ErrorBanner
          title="Could not load the fleet"
          detail={nodesQuery.error.message}
          onRetry={() => void nodesQuery.refetch()}
        />
      )}
      {!loaded ? (
        !nodesQuery.isError && <div className={cx(panel.loading, text.muted)}>Loading fleet…</div>
      ) : names.length === 0 ? (
        <EmptyFleet />
      ) : (
        <div className={styles.nodes}>
          {names.map((n) => (
            <NodeCard key={n} name={n} />
          ))}
        </div>
      )}
    </DashboardShell>
  );
}
