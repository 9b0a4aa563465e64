// The gateway's state for one process: backends and their breakers, caches, pull attribution,
// metrics and the recent events behind the live stats page. Stateless across replicas: nothing
// here has to be shared, each replica learns it again.
import type { GatewaySettings } from '../config/model.js';
import type { LockFile } from '../lock/file.js';
import type { RegistryClient } from '../registry/client.js';
import { PullAttributor } from './attribution.js';
import { BackendPool, type Backend } from './backends.js';
import { failingOver, oneLine } from './backend-failures.js';
import { TlsError } from '../types/errors.js';
import { RedirectProofs } from './blob-proof.js';
import { AnonymousMemory } from './anonymous.js';
import type { BlobAnswer } from './blobs.js';
import { SharedReads } from './shared-read.js';
import { ManifestCache, TagCache } from './cache.js';
import { newClientKeySecret, type EventSink, type GatewayEvent } from './events.js';
import type { DriftEverywhere, ManifestDeps } from './manifests.js';
import { FlapCounter, type Outage } from './flapping.js';
import { GatewayMetrics } from './metrics.js';
import { ClientRateLimit } from './ratelimit.js';
import { aggregate, emptyUnkept, tallyUnkept, withUnkept, type GatewayStats } from './stats.js';
import { WrongBytes, wrongBytesLine } from './wrong-bytes.js';

/** How long a tag's digest is trusted by default (serve --tag-ttl). */
export const DEFAULT_TAG_TTL_MS = 10_000;

/** How long one backend may take to answer (serve --timeout), ms. */
export const DEFAULT_DEADLINE_MS = 5000;

/** Tunables with their defaults (SPEC.md "Gateway"; the ones the issue leaves open). */
export interface GatewayOptions {
  /** Deadline for one backend to answer, ms (default 5000). */
  deadlineMs?: number;
  /** How long a tag's digest is trusted, ms (default 10 s). */
  tagTtlMs?: number;
  /** Manifest cache budget, bytes (default 64 MiB). */
  cacheBytes?: number;
  /** Requests per second per client (default 50, burst twice that; 0 = no limit). */
  clientRate?: number;
  /** Events kept in memory for the live stats page (default 100 000). */
  keepEvents?: number;
  now?: () => number;
}

/** How long the log stays quiet about a host after saying it failed a client's request. */
export const REQUEST_FAILURE_LOG_MS = 10 * 60_000;

/** Everything the request handlers share. */
export class Gateway {
  readonly pool: BackendPool;
  readonly metrics = new GatewayMetrics();
  readonly manifests: ManifestCache;
  readonly tags: TagCache;
  readonly recorded: TagCache;
  readonly attributor = new PullAttributor();
  readonly anonymous = new AnonymousMemory();
  readonly wrongBytes = new WrongBytes();
  readonly proofs: RedirectProofs;
  /** Large streamed blobs' backend reads under way, which clients asking for the same blob join. */
  readonly sharedReads = new SharedReads<BlobAnswer>();
  /** Backends the log said were down (health.ts), to say when they are back. */
  readonly outages = new Map<string, Outage>();
  /** When each backend's recent outages began: a flapping one is said so, not down and back each time. */
  readonly flaps = new FlapCounter();
  /** When the log last said each line kept to once in 10 minutes (sayOnceIn10Min): a host failing requests, a tag drifted everywhere. */
  private readonly saidAt = new Map<string, number>();
  readonly rate: ClientRateLimit | undefined;
  readonly clientSecret = newClientKeySecret();
  readonly now: () => number;
  /** Where unexpected failures are told (the process log). */
  log: ((line: string) => void) | undefined;
  /** Set by the first round of probes: /-/ready answers 200 only after it. */
  probed = false;
  /** Set from SIGTERM until the listener closes (gateway.shutdownDelay): still serving, no longer ready. */
  draining = false;
  /** Set when the shutdown's grace period ran out: the requests ending now are cut off by it. */
  cuttingOff = false;
  private readonly recent: GatewayEvent[] = [];
  private readonly unkept = emptyUnkept();
  private readonly keepEvents: number;

  constructor(
    readonly settings: GatewaySettings,
    readonly client: RegistryClient,
    readonly lock: LockFile,
    private readonly sink: EventSink,
    signal: AbortSignal,
    opts: GatewayOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.pool = new BackendPool(client, { deadlineMs: opts.deadlineMs ?? DEFAULT_DEADLINE_MS, coolDownMs: settings.healthInterval * 1000, now: this.now, signal });
    this.pool.onFailover = (host, e) => {
      this.metrics.failovers.inc({ backend: host });
      this.requestFailed(host, e);
    };
    this.proofs = new RedirectProofs(this.pool, (b, digest, actual) => this.servedWrong(b, digest, actual));
    this.manifests = new ManifestCache(opts.cacheBytes ?? 64 * 1024 * 1024);
    this.tags = new TagCache(opts.tagTtlMs ?? DEFAULT_TAG_TTL_MS);
    this.recorded = new TagCache(opts.tagTtlMs ?? DEFAULT_TAG_TTL_MS);
    const rate = opts.clientRate ?? 50;
    this.rate = rate > 0 ? new ClientRateLimit(rate, rate * 2) : undefined;
    this.keepEvents = opts.keepEvents ?? 100_000;
  }

  /** What serveManifest needs. */
  manifestDeps(): ManifestDeps {
    return {
      pool: this.pool, manifests: this.manifests, tags: this.tags, recorded: this.recorded, lock: this.lock, now: this.now,
      onDrift: (image, _tag, backend) => this.metrics.drift.inc({ image, backend }),
    };
  }

  /**
   * A live error in a client's request (a blob answered 5xx, a stream broken or stalled midway),
   * said once per host in 10 minutes: only probes were logged, so a backend whose manifests
   * answered while its blobs failed was silent, seen only in the failover counter. Not while a
   * probe's "is down" stands (the same outage, another URL), nor for a refused certificate (the
   * transport says it).
   */
  private requestFailed(host: string, e: unknown): void {
    const why = oneLine(e);
    if (e instanceof TlsError || this.outages.has(host)) return;
    this.sayOnceIn10Min(`failed ${host}`, `backend ${host} failed a request: ${why}; ${failingOver(this.settings.healthInterval)}`);
  }

  /**
   * Every backend that has `image:tag` holds another digest than the record: said once per tag in
   * 10 minutes. The client's 404 said "unknown to every backend" and the log nothing, where the tag
   * had moved everywhere (at the source, and mirrors following it) and only the drift counter rose.
   */
  driftedEverywhere(image: string, tag: string, drift: DriftEverywhere): void {
    const key = `${image}:${tag}`;
    const found = drift.found.map((f) => `${f.backend}: ${f.digest}`).join(', ');
    this.sayOnceIn10Min(`drift ${key}`, `${key}: every backend that has it holds another digest than the recorded ${drift.expected} (${found}): not served; \`regmirror verify --lock\` shows the move, and \`regmirror sync --accept-moved ${tag}\` records and mirrors it if it was meant`);
  }

  /** `line`, unless the line kept as `key` was said less than REQUEST_FAILURE_LOG_MS ago; it says how often it is said. */
  sayOnceIn10Min(key: string, line: string): void {
    const last = this.saidAt.get(key);
    if (last !== undefined && this.now() - last < REQUEST_FAILURE_LOG_MS) return;
    this.saidAt.set(key, this.now());
    this.log?.(`${line} (said once in ${REQUEST_FAILURE_LOG_MS / 60_000} min)`);
  }

  /** `b` served `digest` with bytes that hash to `actual`: skipped for that blob, said once. */
  servedWrong(b: Backend, digest: string, actual: string): void {
    if (this.wrongBytes.add(b.host, digest, this.now())) this.log?.(wrongBytesLine(b.host, digest, b.ref.repository, actual));
  }

  /** Writes one event, counts it, and keeps it for the live page. */
  record(e: GatewayEvent): void {
    this.sink.write(e);
    this.metrics.requests.inc({ kind: e.kind, status: String(e.status) });
    this.metrics.latency.observe({ kind: e.kind }, e.durationMs / 1000);
    if (e.kind === 'pull' && !e.repeat && e.status < 400) this.metrics.pulls.inc({ image: e.image, tag: e.tag, backend: e.backend });
    if (e.kind === 'check' && e.status < 400) this.metrics.checks.inc({ image: e.image });
    if (e.cache) this.metrics.cacheHits.inc({ state: e.cache });
    if (e.kind === 'blob' || e.kind === 'other') return tallyUnkept(this.unkept, e);
    this.recent.push(e);
    if (this.recent.length > this.keepEvents) this.recent.splice(0, this.recent.length - this.keepEvents);
  }

  /** Backend hosts with their breaker state now. */
  health(): { name: string; healthy: boolean; takenOut: number; lastError: string }[] {
    const now = this.now();
    return [...this.hosts()].map((name) => {
      const b = this.pool.breaker(name);
      const healthy = b.state(now) === 'closed';
      this.metrics.healthy.set({ backend: name }, healthy ? 1 : 0);
      return { name, healthy, takenOut: b.opened, lastError: b.lastError };
    });
  }

  /** The live stats page's numbers. */
  stats(): GatewayStats {
    return withUnkept(aggregate(this.recent, { host: this.settings.host ?? '', health: this.health(), now: new Date(this.now()) }), this.unkept);
  }

  /** Every backend host, in first-seen order. */
  hosts(): Set<string> {
    const out = new Set<string>();
    for (const list of [...this.settings.images.map((i) => i.backends), ...this.settings.binaries.map((b) => b.backends)]) {
      for (const r of list) if (r.scheme === 'registry') out.add(r.registry);
    }
    return out;
  }

  /** Flushes the events. */
  close(): Promise<void> {
    return this.sink.close();
  }
}
