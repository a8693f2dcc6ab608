import type { GpuProcess } from "../../protocol/telemetry";
import { formatMiB } from "../lib/format";

const SHOWN = 4;

/** The processes holding memory on one GPU, biggest first; the rest summarised. */
export function GpuProcesses({ processes }: { processes: readonly GpuProcess[] }) {
  if (processes.length === 0) {
    return (
      <div className="gpu-procs gpu-procs-empty muted" data-testid="gpu-processes" data-count={0}>
        no processes
      </div>
    );
  }
  const sorted = [...processes].sort((a, b) => (b.usedMiB ?? -1) - (a.usedMiB ?? -1));
  const shown = sorted.slice(0, SHOWN);
  const rest = sorted.length - shown.length;
  return (
    <table className="gpu-procs" data-testid="gpu-processes" data-count={processes.length}>
      <tbody>
        {shown.map((p) => (
          <tr key={`${p.pid}:${p.name}`}>
            <td className="proc-name" title={p.name}>
              {p.name}
            </td>
            <td className="num muted">{p.pid}</td>
            <td className="num">{formatMiB(p.usedMiB)}</td>
          </tr>
        ))}
        {rest > 0 && (
          <tr>
            <td className="muted" colSpan={3}>
              +{rest} more
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
