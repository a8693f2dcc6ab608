/**
 * Rows of the long-running `--query-gpu … -lms N` child → batches, one per sample. Pure: the
 * runner feeds it rows and arms a quiet-gap timer while it holds some (`holding`).
 *
 * Rows of one sample arrive back to back. A batch is complete when it has as many rows as `-L`
 * listed GPUs, when the index wraps around (count unknown or changed), or after a quiet gap.
 */
import type { Gpu } from "../../protocol/telemetry";

export class BatchAssembler {
  private pending: Gpu[] = [];

  /** `gpuCount`: how many GPUs `-L` listed; null when unknown (then wrap-around and quiet gaps decide). */
  constructor(private readonly gpuCount: number | null) {}

  /**
   * One row; the batch it completes, if any. (Never two: a wrap-around leaves one row held, which
   * completes a batch only for a one-GPU count, and with that count no row is ever held.)
   */
  push(gpu: Gpu): Gpu[] | null {
    const last = this.pending[this.pending.length - 1];
    const wrapped = last !== undefined && gpu.index <= last.index ? this.take() : null;
    this.pending.push(gpu);
    if (this.gpuCount !== null && this.pending.length >= this.gpuCount) return this.take();
    return wrapped;
  }

  /** Whether rows wait for the rest of their sample (the quiet-gap timer should run). */
  get holding(): boolean {
    return this.pending.length > 0;
  }

  /** The quiet gap passed, or the child ended: what is held is a batch (null if nothing is). */
  flush(): Gpu[] | null {
    return this.pending.length > 0 ? this.take() : null;
  }

  private take(): Gpu[] {
    const batch = this.pending;
    this.pending = [];
    return batch;
  }
}
