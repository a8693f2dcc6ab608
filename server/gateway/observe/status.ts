/**
 * The dashboard's picture of the gateway (`GET /api/gateway/status`): backends with their health,
 * each route's targets with their health and last-minute traffic, recent failovers and requests.
 * Pure: the Gateway hands in what it knows now (gateway.ts `status()`).
 */
import type { BackendView, GatewayStatus, RequestLogEntry, RouteTargetView, RouteViewDto } from "../../../protocol/gateway";
import type { Backend } from "../backends";
import type { RequestRecord } from "../exchange";
import type { BackendHealthView } from "../health/monitor";
import type { RouteDef } from "../../core/gateway/route-targets";
import type { Tier } from "../routing/route-table";
import type { FailoverEvent, TargetTraffic } from "./request-log";

/** How many recent failovers and requests the status carries. */
const RECENT = 50;

export interface StatusRoute extends RouteDef {
  source: RouteViewDto["source"];
  tiers: Tier[];
}

export interface StatusInputs {
  backends: Iterable<Backend>;
  health: ReadonlyMap<string, BackendHealthView>;
  traffic: readonly TargetTraffic[];
  routes: readonly StatusRoute[];
  /** Newest first. */
  failovers: readonly FailoverEvent[];
  /** Newest first. */
  recent: readonly RequestRecord[];
}

/** A request as the dashboard sees it: no body, no hops, no client protocol. */
export function logEntry(r: RequestRecord): RequestLogEntry {
  const { protocol: _p, body: _b, hops: _h, ...rest } = r;
  return rest;
}

export function statusView(i: StatusInputs): GatewayStatus {
  const backends: BackendView[] = [];
  for (const b of i.backends) {
    const h = i.health.get(b.name);
    if (h) backends.push({ name: b.name, url: b.url, api: b.api, kind: b.kind, source: b.source, hasKey: b.apiKey !== null, ...h });
  }
  const traffic = new Map(i.traffic.map((t) => [t.target, t]));
  const targetView = (tier: Tier): RouteTargetView[] => tier.map((t) => {
    const tr = traffic.get(t.id);
    return { ...t, availability: i.health.get(t.backend)?.availability ?? null, perMinute: tr?.perMinute ?? 0, errors: tr?.errors ?? 0, avgTtftMs: tr?.avgTtftMs ?? null };
  });
  return {
    backends,
    routes: i.routes.map((r) => ({ model: r.model, source: r.source, targets: r.targets, tiers: r.tiers.map(targetView) })),
    failovers: i.failovers.slice(0, RECENT),
    recent: i.recent.slice(0, RECENT).map(logEntry),
  };
}
