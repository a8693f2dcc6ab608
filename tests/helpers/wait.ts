/**
 * Waiting in tests without fixed sleeps. `waitFor` polls until something has happened (and says
 * what it waited for when it gives up); `holdsFor` is for the one thing a condition cannot show,
 * an absence ("nothing restarts it", "it does not spin"): it watches the condition through a
 * window and fails the moment it breaks.
 */

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    await pause(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
}

export async function holdsFor(what: string, condition: () => boolean | Promise<boolean>, windowMs: number, everyMs = 50): Promise<void> {
  const until = Date.now() + windowMs;
  for (;;) {
    if (!(await condition())) throw new Error(`expected ${what} to hold for ${windowMs} ms; it broke after ${windowMs - (until - Date.now())} ms`);
    if (Date.now() >= until) return;
    await pause(Math.min(everyMs, Math.max(0, until - Date.now())));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
