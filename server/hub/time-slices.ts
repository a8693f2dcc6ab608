/**
 * Cooperative slicing for work on hostile input: a loop calls `pause()` between items and yields
 * to the event loop once it has run for `budgetMs`, so that one large (but valid) message never
 * holds up every other socket and request.
 */
import { performance } from "node:perf_hooks";

export function timeSlices(budgetMs: number) {
  let since = performance.now();
  return {
    async pause(): Promise<void> {
      if (performance.now() - since < budgetMs) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
      since = performance.now();
    },
  };
}
