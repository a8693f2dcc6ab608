"use client";
/**
 * One node on the fleet page: status, host stats, warnings and a card per GPU. Subscribes to its
 * own node only, so other nodes' updates do not touch it, and only while it is on screen.
 */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { memo, useEffect, useMemo, useRef, useState } from "react";
import type { GpuProcess } from "../../protocol/telemetry";
import { api } from "../lib/api";
import { cx } from "../lib/cx";
import { fleetStore } from "../lib/fleet-store";
import { InViewContext, useInView } from "../lib/use-in-view";
import { useNode } from "../lib/use-live-fleet";
import { GpuCard } from "./gpu-card";
import { deploymentKeys, deploymentsApi } from "../lib/deployments-api";
import { gpuHolders } from "../lib/gpu-holders";
import { HostStatsRow } from "./host-stats";
import { NodeWarnings } from "./node-warnings";
import { RelativeTime } from "./relative-time";
import { RemoveNodeButton } from "./remove-node-button";
import { SimulatedBadge, StatusBadge } from "./status-badge";
import text from "../styles/text.module.css";
import styles from "./node-card.module.css";
import title from "./node-title.module.css";

const NO_PROCESSES: readonly GpuProcess[] = [];

/** Runs `fn` when the browser has a moment (Safari has no requestIdleCallback: a timer there). */
function whenIdle(fn: () => void): () => void {
  if (typeof window.requestIdleCallback === "function") {
    const id = window.requestIdleCallback(fn, { timeout: 5000 });
    return () => window.cancelIdleCallback(id);
  }
  const id = window.setTimeout(fn, 1000);
  return () => window.clearTimeout(id);
}

/**
 * Fills the sparklines' rings with the last 5 minutes once per node, so they start full: at once
 * for a card in view, once the page is idle for the others (the first paint of a large fleet
 * waits for none of them).
 */
function useSeededRings(name: string, hasGpus: boolean, inView: boolean): void {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    if (inView || idle) return;
    return whenIdle(() => setIdle(true));
  }, [inView, idle]);
  const enabled = hasGpus && (inView || idle);
  useQuery({
    queryKey: ["seed-history", name],
    queryFn: async () => {
      const h = await api.history(name, "5m");
      fleetStore.seedHistory(name, h.gpus);
      return true;
    },
    enabled: enabled && !fleetStore.hasSeeded(name),
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: Number.POSITIVE_INFINITY,
    retry: 1,
  });
}

function NodeCardImpl({ name }: { name: string }) {
  const ref = useRef<HTMLElement>(null);
  // Off screen, the card shows what it last had and costs nothing per update.
  const inView = useInView(ref);
  const node = useNode(name, inView);
  useSeededRings(name, node !== undefined && node.gpus.length > 0, inView);
  // One request for every card on screen (the same query key): who holds each GPU's memory, who could load there.
  const deployments = useQuery({ queryKey: deploymentKeys.list, queryFn: deploymentsApi.list, refetchInterval: inView ? 5000 : false });

  const procsByGpu = useMemo(() => {
    const m = new Map<string, GpuProcess[]>();
    for (const p of node?.processes ?? []) {
      const list = m.get(p.gpuUuid);
      if (list) list.push(p);
      else m.set(p.gpuUuid, [p]);
    }
    return m;
  }, [node?.processes]);

  if (!node) return <section ref={ref} />;
  const driver = node.driver;
  const gpuWord = node.gpus.length === 1 ? "GPU" : "GPUs";

  return (
    <section ref={ref} className={styles.card} data-testid="node-card" data-node-name={node.name} data-in-view={inView}>
      <header className={styles.head}>
        <div className={title.title}>
          <Link href={`/nodes/${encodeURIComponent(node.name)}`} className={title.name} data-testid="node-link">
            {node.name}
          </Link>
          <StatusBadge online={node.online} />
          <SimulatedBadge simulated={node.facts?.simulated} />
          <span className={cx(text.muted, text.small)}>
            seen <RelativeTime ts={node.lastSeen} />
          </span>
          <RemoveNodeButton name={node.name} online={node.online} />
        </div>
        <div className={cx(styles.meta, text.small, text.muted)}>
          <span data-testid="node-gpu-count">
            {node.gpus.length} {gpuWord}
          </span>
          {driver?.version && (
            <span>
              driver {driver.version}
              {driver.cuda ? ` · CUDA ${driver.cuda}` : ""}
            </span>
          )}
          {node.facts?.os && <span>{node.facts.os}</span>}
        </div>
        <HostStatsRow host={node.host} />
      </header>
      <NodeWarnings warnings={node.warnings} />
      {node.gpus.length > 0 ? (
        <div className={styles.gpuGrid}>
          <InViewContext.Provider value={inView}>
            {node.gpus.map((g) => (
              <GpuCard key={g.uuid} gpu={g} processes={procsByGpu.get(g.uuid) ?? NO_PROCESSES} online={node.online} holders={gpuHolders(node, g, deployments.data ?? [])} />
            ))}
          </InViewContext.Provider>
        </div>
      ) : (
        <p className={cx(text.muted, text.small, styles.noGpus)}>No GPUs reported by this node.</p>
      )}
    </section>
  );
}

export const NodeCard = memo(NodeCardImpl);
