/** The gateway's own Prometheus series, fed once per finished request and on each scrape. */
import type { Endpoint, RequestRecord } from "../exchange";
import type { BackendHealthView } from "../health/monitor";
import { Counter, Histogram, Registry, formatLabels } from "./prometheus";

export const UNROUTED = "(unrouted)";

const ENDPOINTS: readonly Endpoint[] = ["chat", "completions", "embeddings", "messages", "count_tokens", "models"];

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = this.registry.add(new Counter("switchyard_gateway_requests_total", "Client requests by model asked, target that answered and HTTP status."));
  private readonly ttft = this.registry.add(new Histogram("switchyard_gateway_time_to_first_token_seconds", "Time from request to the first byte sent to the client.", LATENCY_BUCKETS));
  private readonly duration = this.registry.add(new Histogram("switchyard_gateway_request_duration_seconds", "Time from request to the last byte sent to the client.", LATENCY_BUCKETS));
  private readonly failovers = this.registry.add(new Counter("switchyard_gateway_failovers_total", "Times a request moved from one target to the next before its first byte."));
  private readonly attempts = this.registry.add(new Counter("switchyard_gateway_upstream_attempts_total", "Requests sent to each backend."));
  private readonly tokens = this.registry.add(new Counter("switchyard_gateway_tokens_total", "Tokens reported by backends, by model and direction."));
  private readonly up = this.registry.add(new Counter("switchyard_gateway_upstream_up", "1 when the backend's last health check passed, 0 when it failed.", "gauge"));
  private readonly breaker = this.registry.add(new Counter("switchyard_gateway_upstream_circuit_open", "1 while the backend's circuit breaker is open or half-open.", "gauge"));
  private readonly outstanding = this.registry.add(new Counter("switchyard_gateway_upstream_outstanding_requests", "Requests in flight to each backend.", "gauge"));

  /** Formatted label sets by target, then model, reused: formatting them anew for every request showed in profiles. */
  private readonly labelCache = new Map<string, Map<string, Labelled>>();
  private labelled = 0;

  record(r: RequestRecord): void {
    // The model name comes from the client: it becomes a label only once a target was chosen for it
    // (a route or deployment exists). Refused ones (404, 403, 400, …) share one label, so a client
    // cycling through made-up names cannot grow the series without bound.
    const model = r.target === null ? UNROUTED : (r.modelAsked ?? "");
    const target = r.target ?? "";
    let byModel = this.labelCache.get(target);
    if (!byModel) this.labelCache.set(target, (byModel = new Map()));
    let c = byModel.get(model);
    if (!c) {
      // Bounded: model names come from clients.
      if (++this.labelled > 10_000) {
        this.labelCache.clear();
        this.labelCache.set(target, byModel);
        byModel.clear();
        this.labelled = 1;
      }
      c = {
        pair: { model, target }, pairKey: formatLabels({ model, target }), byStatus: new Map(),
        backendKey: target ? formatLabels({ backend: backendOf(target) }) : "",
        inputKey: formatLabels({ model, direction: "input" }), outputKey: formatLabels({ model, direction: "output" }),
      };
      byModel.set(model, c);
    }
    const statusKey = r.status * 8 + ENDPOINTS.indexOf(r.endpoint); // a number: no string built per request
    let reqKey = c.byStatus.get(statusKey);
    if (reqKey === undefined) {
      reqKey = formatLabels({ model, target, status: String(r.status), endpoint: r.endpoint });
      c.byStatus.set(statusKey, reqKey);
    }
    this.requests.incKey(reqKey);
    if (r.ttftMs !== null) this.ttft.observe(c.pair, r.ttftMs / 1000, c.pairKey);
    this.duration.observe(c.pair, r.durationMs / 1000, c.pairKey);
    for (const hop of r.hops) {
      this.failovers.inc({ model, from: hop.from, to: hop.to ?? "" });
      this.attempts.inc({ backend: backendOf(hop.from) });
    }
    if (r.target && (r.hops.length === 0 || r.hops[r.hops.length - 1]!.to !== null)) this.attempts.incKey(c.backendKey);
    if (r.inputTokens) this.tokens.incKey(c.inputKey, r.inputTokens);
    if (r.outputTokens) this.tokens.incKey(c.outputKey, r.outputTokens);
  }

  /** Gauges are refreshed at scrape time from the health monitor. */
  render(health: ReadonlyMap<string, BackendHealthView>): string {
    this.up.reset();
    this.breaker.reset();
    this.outstanding.reset();
    for (const [backend, h] of health) {
      if (h.up !== null) this.up.set({ backend }, h.up ? 1 : 0);
      this.breaker.set({ backend, state: h.breaker.state }, h.breaker.state === "closed" ? 0 : 1);
      this.outstanding.set({ backend }, h.outstanding);
    }
    return this.registry.render();
  }
}

interface Labelled {
  pair: { model: string; target: string };
  pairKey: string;
  byStatus: Map<number, string>;
  /** The target's backend (attempts), the model by direction (tokens). */
  backendKey: string;
  inputKey: string;
  outputKey: string;
}

const backendOf = (target: string) => target.slice(0, Math.max(0, target.indexOf("/")));
