"use client";
import type { NodeView } from "../../protocol/live";
import { cx } from "../lib/cx";
import { formatBytes } from "../lib/format";
import facts from "../styles/facts.module.css";
import text from "../styles/text.module.css";
import { HostStatsRow } from "./host-stats";
import { NodeWarnings } from "./node-warnings";
import { RelativeTime } from "./relative-time";
import { SimulatedBadge, StatusBadge } from "./status-badge";
import styles from "./node-header.module.css";
import title from "./node-title.module.css";

function Fact({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div className={facts.fact}>
      <dt>{label}</dt>
      <dd title={typeof value === "string" ? value : undefined}>{value ?? <span className={text.muted}>—</span>}</dd>
    </div>
  );
}

/** The node page's head: identity, the facts the agent reported at hello, and live host stats. */
export function NodeHeader({ node }: { node: NodeView }) {
  const f = node.facts;
  const cpu = f?.cpuModel ? `${f.cpuModel}${f.cpuCores ? ` × ${f.cpuCores}` : ""}` : f?.cpuCores ? `${f.cpuCores} cores` : null;
  return (
    <section className={styles.header} data-testid="node-header" data-node-name={node.name}>
      <div className={title.title}>
        <h1 className={cx(title.name, title.large)}>{node.name}</h1>
        <StatusBadge online={node.online} />
        <SimulatedBadge simulated={node.facts?.simulated} />
        <span className={cx(text.muted, text.small)}>
          seen <RelativeTime ts={node.lastSeen} />
        </span>
      </div>
      <dl className={facts.facts}>
        <Fact label="Hostname" value={f?.hostname ?? node.host?.hostname ?? null} />
        <Fact label="OS" value={f ? `${f.os} (${f.arch})` : null} />
        <Fact label="CPU" value={cpu} />
        <Fact label="Memory" value={f?.memTotalBytes ? formatBytes(f.memTotalBytes) : null} />
        <Fact label="Driver" value={node.driver?.version ?? null} />
        <Fact label="CUDA" value={node.driver?.cuda ?? null} />
        <Fact label="Agent" value={node.agentVersion ?? null} />
        <Fact label="GPUs" value={node.gpus.length} />
      </dl>
      <HostStatsRow host={node.host} alignStart />
      <NodeWarnings warnings={node.warnings} />
    </section>
  );
}
