import type { Gpu, GpuProcess } from "../../protocol/telemetry";
import { formatMiB, formatPercent, ratioPct } from "../lib/format";
import { cx } from "../lib/cx";
import panel from "../styles/panel.module.css";
import table from "../styles/table.module.css";
import text from "../styles/text.module.css";

/** Every process holding GPU memory on a node, biggest first. */
export function ProcessTable({ processes, gpus }: { processes: readonly GpuProcess[]; gpus: readonly Gpu[] }) {
  const byUuid = new Map(gpus.map((g) => [g.uuid, g]));
  const rows = [...processes].sort((a, b) => (b.usedMiB ?? -1) - (a.usedMiB ?? -1));
  return (
    <section className={panel.panel} data-testid="process-table">
      <header className={panel.head}>
        <h2>Processes</h2>
        <span className={cx(text.muted, text.small)}>{rows.length} holding GPU memory</span>
      </header>
      {rows.length === 0 ? (
        <p className={cx(text.muted, text.small, text.pad)}>No process holds GPU memory on this node.</p>
      ) : (
        <div className={table.wrap}>
          <table className={table.table}>
            <thead>
              <tr>
                <th>GPU</th>
                <th className={table.num}>PID</th>
                <th>Process</th>
                <th className={table.num}>Memory</th>
                <th className={table.num}>of GPU</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => {
                const g = byUuid.get(p.gpuUuid);
                return (
                  <tr key={`${p.gpuUuid}:${p.pid}:${p.name}`}>
                    <td title={p.gpuUuid}>{g ? `${g.index} · ${g.name}` : p.gpuUuid}</td>
                    <td className={table.num}>{p.pid}</td>
                    <td className={table.process} title={p.name}>
                      {p.name}
                    </td>
                    <td className={table.num}>{formatMiB(p.usedMiB)}</td>
                    <td className={cx(table.num, text.muted)}>{formatPercent(ratioPct(p.usedMiB, g?.memTotalMiB ?? null))}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
