/** On a GPU card: the deployments that hold its memory, and the on-demand ones that could load there now. */
import { cx } from "../lib/cx";
import { formatBytes } from "../lib/format";
import type { GpuHolders as Holders } from "../lib/gpu-holders";
import text from "../styles/text.module.css";
import styles from "./gpu-holders.module.css";

export function GpuHolders({ holders }: { holders: Holders }) {
  if (holders.holding.length === 0 && holders.couldLoad.length === 0) return null;
  return (
    <div className={cx(styles.holders, text.small)} data-testid="gpu-holders">
      {holders.holding.length > 0 && (
        <div>
          <span className={text.muted}>held by </span>
          {holders.holding.map((h, i) => (
            <span key={h.name} data-testid="gpu-holder">
              {i > 0 ? ", " : ""}
              {h.name}
              {h.bytes !== null ? ` ${formatBytes(h.bytes)}` : ""}
              {h.sleeping ? " (asleep)" : h.onDemand ? " (on demand)" : ""}
            </span>
          ))}
        </div>
      )}
      {holders.couldLoad.length > 0 && (
        <div>
          <span className={text.muted}>could load here </span>
          {holders.couldLoad.map((c, i) => (
            <span key={c.name} data-testid="gpu-could-load">
              {i > 0 ? ", " : ""}
              {c.name} {formatBytes(c.needBytes)}
              {c.evicting ? " (after unloading idle ones)" : ""}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}
