/**
 * SWITCHYARD_CPU_MEMORY: how much memory on-demand deployments with `--gpus none` may use on this
 * node (e.g. `2GiB`). Unset: the host's available memory, as telemetry reports it (the server reads
 * that from the node's host stats, so the agent reports null).
 */
import { parseByteSize } from "../protocol/byte-size";
import { MAX_CPU_MEMORY_BYTES } from "../protocol/agent-wire";

export class CpuBudgetError extends Error {}

export function cpuMemoryBudget(text: string | undefined): number | null {
  if (text === undefined || text.trim() === "") return null;
  const bytes = parseByteSize(text);
  if (bytes === null || bytes <= 0) throw new CpuBudgetError(`SWITCHYARD_CPU_MEMORY='${text}' is not a memory size: write e.g. 2GiB, 512MiB or 16G`);
  if (bytes > MAX_CPU_MEMORY_BYTES) throw new CpuBudgetError(`SWITCHYARD_CPU_MEMORY='${text}' is larger than any host (at most 1 PiB)`);
  return bytes;
}
