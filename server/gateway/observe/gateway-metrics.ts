/** The gateway's own Prometheus series, fed once per finished request and on each scrape. */
import type { RequestRecord } from "../exchange";
import type { BackendHealthView } from "../health/monitor";
import { Counter, Histogram, Registry } from "./prometheus";

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

  record(r: RequestRecord): void {
    const model = r.modelAsked ?? "";
    const target = r.target ?? "";
    this.requests.inc({ model, target, status: String(r.status), endpoint: r.endpoint });
    if (r.ttftMs !== null) this.ttft.observe({ model, target }, r.ttftMs / 1000);
    this.duration.observe({ model, target }, r.durationMs / 1000);
    for (const hop of r.hops) {
      this.failovers.inc({ model, from: hop.from, to: hop.to ?? "" });
      this.attempts.inc({ backend: backendOf(hop.from) });
    }
    if (r.target && (r.hops.length === 0 || r.hops[r.hops.length - 1]!.to !== null)) this.attempts.inc({ backend: backendOf(r.target) });
    if (r.inputTokens) this.tokens.inc({ model, direction: "input" }, r.inputTokens);
    if (r.outputTokens) this.tokens.inc({ model, direction: "output" }, r.outputTokens);
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

const backendOf = (target: string) => target.slice(0, Math.max(0, target.indexOf("/")));
