// What this run already knows about each destination, shared by every copy of the run: a blob or
// manifest needed by several tags is handled once per target repository, and a blob pushed into
// one repository of a registry can be mounted into the next (shared base layers).
import { AbsenceStreaks } from './read-ahead.js';
import type { Descriptor } from '../types/descriptor.js';

/** How a blob came to be present at a destination. */
export type BlobOutcome = 'copied' | 'mounted' | 'existing';

/**
 * Blob checks at a registry of unknown mount support that go ahead by HEAD while the probe is out,
 * instead of waiting for it: a release's blobs (one tag, five platforms and a signature: ~17),
 * at the cost of at most this many HEADs more in a large run, where the rest wait and self-mount.
 */
export const HEADS_BEFORE_PROBE = 24;

/** Per-run memory of blob and manifest work, keyed by destination repository and mount scope. */
export class CopyLedger {
  private readonly work = new Map<string, Promise<BlobOutcome>>();
  private readonly manifests = new Map<string, Promise<void>>();
  private readonly holders = new Map<string, Set<string>>();
  private readonly mounting = new Set<string>();
  private readonly ignoring = new Set<string>();
  private readonly probed = new Set<string>();
  /** Registries (mount scopes) whose tokens for two repositories at once were refused (see presence.ts). */
  private readonly pairsRefused = new Set<string>();
  /** What each destination repository's own blob presence checks answered lately (read-ahead.ts). */
  readonly absences = new AbsenceStreaks();

  /** Records that a registry (mount scope) answered a mount with 201: it honours mounts. */
  mountWorked(scope: string): void {
    this.mounting.add(scope);
  }

  /** Records that a registry's token service, or the registry, refused the token a mount from another repository needs. */
  pairRefused(scope: string): void {
    this.pairsRefused.add(scope);
  }

  /** Whether mounts from another repository of a registry are off for this run (pairRefused). */
  pairsRefusedAt(scope: string): boolean {
    return this.pairsRefused.has(scope);
  }

  /** Records that a registry answered a self-mount of a blob it holds with an upload session, or refused it: it ignores mounts. */
  mountIgnored(scope: string): void {
    if (!this.mounting.has(scope)) this.ignoring.add(scope);
  }

  private readonly probeGates = new Map<string, Promise<void>>();
  private readonly headsBeforeProbe = new Map<string, number>();

  /**
   * Where a registry's mount support is still unknown, the first blob copy there to check a blob
   * goes ahead (`open`: called once that copy is done, its upload probed) and the later ones wait
   * for it (`wait`), then check by self-mount where mounts work: a check has to choose between
   * HEAD and self-mount before it queues, and with many tags in flight every blob chose HEAD
   * before the probe had answered. The first HEADS_BEFORE_PROBE later ones go ahead too (by HEAD):
   * a release of a few tags is checked at once, and only a large run's first wave waits. {} once
   * the registry's mount support is known.
   */
  probeGate(scope: string): { wait?: Promise<void>; open?: () => void } {
    if (!this.mountsUnknown(scope)) return {};
    const wait = this.probeGates.get(scope);
    if (wait) {
      const ahead = this.headsBeforeProbe.get(scope) ?? 0;
      if (ahead >= HEADS_BEFORE_PROBE) return { wait };
      this.headsBeforeProbe.set(scope, ahead + 1);
      return {};
    }
    let open!: () => void;
    this.probeGates.set(scope, new Promise<void>((resolve) => (open = resolve)));
    return { open };
  }

  /** True the first time it is asked for a scope: that caller may probe the scope's mount support. */
  firstMountProbe(scope: string): boolean {
    if (this.mounting.has(scope) || this.probed.has(scope)) return false;
    this.probed.add(scope);
    return true;
  }

  /** Whether a registry has honoured a mount this run. */
  mountsWork(scope: string): boolean {
    return this.mounting.has(scope);
  }

  /** Whether this run has not yet learnt if a registry honours mounts. */
  mountsUnknown(scope: string): boolean {
    return !this.mounting.has(scope) && !this.ignoring.has(scope);
  }

  private readonly firstClaims = new Map<string, { path: string; outcome: Promise<BlobOutcome> }>();

  /**
   * Registers that `path` in `scope` is about to get `digest`, unless another repository of the
   * scope claimed it first: that earlier claim is returned, to be awaited and mounted from. Only
   * ever waiting on an earlier claim means two copies can never wait on each other.
   */
  firstClaim(scope: string, path: string, digest: string, outcome: Promise<BlobOutcome>): { path: string; outcome: Promise<BlobOutcome> } | undefined {
    const key = `${scope}\0${digest}`;
    const earlier = this.firstClaims.get(key);
    if (earlier && earlier.path !== path) return earlier;
    if (!earlier) {
      this.firstClaims.set(key, { path, outcome });
      outcome.catch(() => this.firstClaims.get(key)?.outcome === outcome && this.firstClaims.delete(key));
    }
    return undefined;
  }

  /** The in-flight or finished work for (repository, blob), if any. */
  pending(repository: string, blob: Descriptor): Promise<BlobOutcome> | undefined {
    return this.work.get(workKey(repository, blob));
  }

  /**
   * Claims (repository, blob): later callers await `outcome` instead of repeating the work. The
   * size is part of the key: a descriptor with the wrong size fails its own copy, not the copy of
   * every tag sharing the blob under its right size.
   */
  claim(repository: string, blob: Descriptor, outcome: Promise<BlobOutcome>): void {
    const key = workKey(repository, blob);
    this.work.set(key, outcome);
    // A failed attempt must not poison later runs of the same blob in this process.
    outcome.catch(() => this.work.get(key) === outcome && this.work.delete(key));
  }

  /** Records that `path` inside mount scope `scope` holds `digest`. */
  present(scope: string, path: string, digest: string): void {
    const key = `${scope}\0${digest}`;
    let set = this.holders.get(key);
    if (!set) this.holders.set(key, (set = new Set()));
    set.add(path);
  }

  /** Repositories in `scope` known to hold `digest` (mount candidates), nearest first. */
  holdersOf(scope: string, digest: string): string[] {
    return [...(this.holders.get(`${scope}\0${digest}`) ?? [])];
  }

  /**
   * The placing of manifest `digest` (with everything below it) in `repository` by another copy
   * of this run, in flight or done; or its known presence. Rejects when that copy failed there.
   */
  manifestAt(repository: string, digest: string): Promise<void> | undefined {
    return this.manifests.get(`${repository}\0${digest}`);
  }

  /**
   * Claims placing manifest `digest` in `repository`; call the returned function when done, with
   * the error if it failed there (the claim is then forgotten, so a later tag tries again).
   */
  claimManifest(repository: string, digest: string): (error?: Error) => void {
    const key = `${repository}\0${digest}`;
    let settle!: (error?: Error) => void;
    const placed = new Promise<void>((resolve, reject) => (settle = (error) => {
      if (this.placing.get(key) === placed) this.placing.delete(key);
      if (error) reject(error);
      else resolve();
    }));
    placed.catch(() => this.manifests.get(key) === placed && this.manifests.delete(key));
    this.manifests.set(key, placed);
    this.placing.set(key, placed);
    return settle;
  }

  private readonly placing = new Map<string, Promise<void>>();

  /** The placing of manifest `digest` in `repository` while it is still under way (manifest-turns.ts waits for it). */
  manifestInFlight(repository: string, digest: string): Promise<void> | undefined {
    return this.placing.get(`${repository}\0${digest}`);
  }

  private readonly refills = new Map<string, Promise<Error | undefined>>();

  /**
   * sync --deep: the walk below manifest `digest` in `repository` that another tag of this run
   * made or makes (`earlier`: its error there, if any); or, when none did, the walk claimed for
   * the caller, who calls `settle` when done. Floating tags of one digest check and repair it once.
   */
  refillAt(repository: string, digest: string): { earlier: Promise<Error | undefined> } | { settle: (error?: Error) => void } {
    const key = `${repository}\0${digest}`;
    const earlier = this.refills.get(key);
    if (earlier) return { earlier };
    let settle!: (error?: Error) => void;
    this.refills.set(key, new Promise<Error | undefined>((resolve) => (settle = resolve)));
    return { settle };
  }

  /** Records that `repository` holds manifest `digest` whole (a tag there resolved to it). */
  manifestPresent(repository: string, digest: string): void {
    this.manifests.set(`${repository}\0${digest}`, Promise.resolve());
  }
}

function workKey(repository: string, blob: Descriptor): string {
  return `${repository}\0${blob.digest}\0${blob.size}`;
}
