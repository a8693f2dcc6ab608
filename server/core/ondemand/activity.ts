/**
 * Requests on the other servers of a control plane. Each server tells the others which on-demand
 * deployments it has requests in flight for (or waiting for their load) and when it last served
 * each, so that the leader's idle unloads and every server's evictions respect requests anywhere.
 *
 * Cheap on purpose: nothing per request. A server says so at once only when a deployment turns
 * busy there and its last word did not already call it busy; otherwise it speaks with its periodic
 * flush of last-request times (and not at all while idle). A server's word replaces its previous
 * one; a claim of busy lasts `CLAIM_TTL_MS` unless repeated (a busy server repeats it every flush),
 * so a server that died mid-request holds nothing for long.
 */

/** What one server says: ids busy there now, and the newest request time of ids served since its last word. */
export interface ActivityReport {
  busy: string[];
  last: Array<[id: string, at: number]>;
}

/** A busy claim not repeated within this long is dropped (three flushes of a busy server). */
export const CLAIM_TTL_MS = 15_000;

/** The other servers' claims, as this server last heard them: pure, table-tested. */
export class RemoteActivity {
  private readonly claims = new Map<string, { busy: ReadonlySet<string>; heardAt: number }>();

  /** Takes `server`'s new word (it replaces the old); returns the request times it carried. */
  hear(server: string, report: ActivityReport, now: number): Array<[string, number]> {
    this.claims.set(server, { busy: new Set(report.busy), heardAt: now });
    return report.last;
  }

  /** How many other servers have `id` busy now. */
  busyCount(id: string, now: number): number {
    let n = 0;
    for (const [server, c] of this.claims) {
      if (now - c.heardAt > CLAIM_TTL_MS) {
        this.claims.delete(server);
        continue;
      }
      if (c.busy.has(id)) n += 1;
    }
    return n;
  }
}

/** This server's side: when to speak, and what to say. */
export class LocalActivity {
  private readonly listeners = new Set<(report: ActivityReport) => void>();
  /** The busy ids of this server's last word (what the others believe now). */
  private said: ReadonlySet<string> = new Set();

  constructor(private readonly busyNow: () => string[]) {}

  listen(listener: (report: ActivityReport) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** `id` turned busy here: tell the others now unless they already believe it. */
  turnedBusy(id: string): void {
    if (this.listeners.size === 0 || this.said.has(id)) return;
    this.say({ busy: this.busyNow(), last: [] });
  }

  /** The periodic word: what is busy now and the request times since; silent when idle and nothing changed. */
  flush(last: Array<[string, number]>): void {
    if (this.listeners.size === 0) return;
    const busy = this.busyNow();
    if (busy.length === 0 && last.length === 0 && this.said.size === 0) return;
    this.say({ busy, last });
  }

  private say(report: ActivityReport): void {
    this.said = new Set(report.busy);
    for (const l of this.listeners) l(report);
  }
}
