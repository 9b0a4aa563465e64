// /metrics in the Prometheus text format (prom-client), on a registry of its own so nothing else
// in the process leaks in: pulls, version checks, backend health, failovers, drift, cache hits
// and latency.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's metrics. */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly pulls = new Counter({ name: 'regmirror_gateway_pulls_total', help: 'Pulls (GETs of a platform image manifest, retries counted once) by image, tag and backend.', labelNames: ['image', 'tag', 'backend'], registers: [this.registry] });
  readonly checks = new Counter({ name: 'regmirror_gateway_version_checks_total', help: 'Version checks (manifest HEADs and index GETs) by image.', labelNames: ['image'], registers: [this.registry] });
  readonly requests = new Counter({ name: 'regmirror_gateway_requests_total', help: 'Requests by kind and status.', labelNames: ['kind', 'status'], registers: [this.registry] });
  readonly healthy = new Gauge({ name: 'regmirror_gateway_backend_healthy', help: '1 when the backend answered its last probe or request, else 0.', labelNames: ['backend'], registers: [this.registry] });
  readonly failovers = new Counter({ name: 'regmirror_gateway_failovers_total', help: 'Requests moved past a backend because of a live error (refused, timeout, 5xx, 429).', labelNames: ['backend'], registers: [this.registry] });
  readonly drift = new Counter({ name: 'regmirror_gateway_drift_total', help: 'Backends skipped for a tag because their digest differs from the recorded one.', labelNames: ['image', 'backend'], registers: [this.registry] });
  readonly cacheHits = new Counter({ name: 'regmirror_gateway_cache_hits_total', help: 'Manifests served from the cache (fresh or stale).', labelNames: ['state'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'regmirror_gateway_request_duration_seconds', help: 'Time to answer, by kind.', labelNames: ['kind'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'regmirror_gateway_' });
  }
}
