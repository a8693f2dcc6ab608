/**
 * Which server the agent dials next, and when (`--server URL1,URL2,…`). Pure: connection.ts does the
 * dialing. The agent starts with the first URL; when its server goes away it moves to the next at
 * once (any server of the control plane takes it), and only after every URL has failed in a row
 * does it back off, as it does with one URL.
 */
import { backoffMs } from "../lib/backoff";

export interface RotationOptions {
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Pause before trying the next server of the list (spreads agents of a dead server a little). */
  switchMs?: number;
  random?: () => number;
}

export class ServerRotation {
  private index = 0;
  /** Dials that failed since the last welcome, over all servers. */
  private failures = 0;
  private waitLongest = false;

  constructor(readonly urls: readonly string[], private readonly opts: RotationOptions) {
    if (urls.length === 0) throw new Error("at least one server URL is needed");
  }

  current(): string {
    return this.urls[this.index]!;
  }

  welcomed(): void {
    this.failures = 0;
  }

  /** The next dial waits as long as backoff ever does (a refusal, a name taken twice: every server would say the same). */
  slowDown(): void {
    this.waitLongest = true;
  }

  /**
   * The connection ended or the dial failed: the server to dial next and the wait before it. A
   * connection that had been welcomed moves on to the next server at once (with one URL, it
   * redials it after the shortest backoff, as before).
   */
  next(): { url: string; delayMs: number } {
    const single = this.urls.length === 1;
    const roundDone = (this.failures + 1) % this.urls.length === 0;
    const rounds = Math.floor(this.failures / this.urls.length);
    this.failures += 1;
    if (!single) this.index = (this.index + 1) % this.urls.length;
    const jitter: [number, number] = [0.75, 1.25];
    if (this.waitLongest) {
      this.waitLongest = false;
      return { url: this.current(), delayMs: backoffMs(10, { baseMs: this.opts.minBackoffMs, maxMs: this.opts.maxBackoffMs, jitter, random: this.opts.random }) };
    }
    if (single || roundDone) {
      return { url: this.current(), delayMs: backoffMs(Math.min(rounds, 10), { baseMs: this.opts.minBackoffMs, maxMs: this.opts.maxBackoffMs, jitter, random: this.opts.random }) };
    }
    const switchMs = this.opts.switchMs ?? 100;
    return { url: this.current(), delayMs: Math.round(switchMs * (jitter[0] + (this.opts.random ?? Math.random)() * (jitter[1] - jitter[0]))) };
  }
}

/** `--server` value → the URLs (comma-separated, trimmed, none empty). */
export function parseServerList(value: string): string[] {
  const urls = value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (urls.length === 0) throw new Error("--server needs at least one URL");
  if (urls.length > 16) throw new Error("--server takes at most 16 URLs");
  return urls;
}
