// How one blob copy learns whether a destination holds the blob: a mount where a sibling
// repository (or the source) of the same registry has it, a self-mount where the registry is known
// to honour mounts, a HEAD otherwise; and how the first upload into a registry learns whether it
// honours mounts at all, while the other checks there wait for the answer.
import { canMount, SMALL_BLOB_BYTES, type Repository } from '../content/storage.js';
import type { Descriptor } from '../types/descriptor.js';
import { callOptions, type CopyContext } from './context.js';
import type { BlobOutcome } from './ledger.js';
import { AuthError, RegistryResponseError } from '../types/errors.js';

/**
 * Whether `desc` may be mounted at all. distribution 2.8 links a mounted sha512 blob to its own
 * sha512 name instead of the sha256 it stores it under: the blob, uploaded fine, is unknown to the
 * manifest PUT afterwards (400 MANIFEST_BLOB_UNKNOWN). Such blobs are asked for by HEAD.
 */
function mountable(desc: Descriptor): boolean {
  return desc.digest.startsWith('sha256:');
}

/** mountSource()'s answer when another repository of the registry is uploading the blob now. */
const WAIT = Symbol('wait for the upload in progress');
export type MountSource = string | typeof WAIT | undefined;

/**
 * The sibling repository of the destination's registry to mount `desc` from, if one holds it (or
 * the source, when it shares the registry), or WAIT when another repository is uploading it now.
 * (A symbol: any string, "wait" included, may be a repository's path.)
 */
export function mountSource(ctx: CopyContext, desc: Descriptor, dst: Repository, earlier?: { path: string }): MountSource {
  if (!canMount(dst) || !mountable(desc) || ctx.ledger.pairsRefusedAt(dst.mountScope)) return undefined;
  if (canMount(ctx.src) && ctx.src.mountScope === dst.mountScope && ctx.src.mountPath !== dst.mountPath) return ctx.src.mountPath;
  const held = ctx.ledger.holdersOf(dst.mountScope, desc.digest).find((p) => p !== dst.mountPath);
  return held ?? (earlier ? WAIT : undefined);
}

/** 'existing' / 'mounted' when no upload is needed, undefined otherwise; `source` is mountSource()'s answer. */
export async function presence(ctx: CopyContext, desc: Descriptor, dst: Repository, source: MountSource, earlier?: { path: string; outcome: Promise<BlobOutcome> }): Promise<BlobOutcome | undefined> {
  const opts = callOptions(ctx);
  if (canMount(dst) && mountable(desc)) {
    let from = source;
    // Another repository of this registry is uploading the same blob right now (a shared base
    // layer): wait for it and mount, rather than uploading the bytes a second time.
    if (from === WAIT) from = (await earlier?.outcome.then(() => true, () => false)) ? earlier?.path : undefined;
    if (from !== undefined) {
      // Same registry: a mount is one request and moves no bytes; it also covers "already there".
      if (ctx.dryRun) return 'mounted';
      try {
        if (await dst.mountBlob(desc, from, opts)) {
          ctx.ledger.mountWorked(dst.mountScope);
          return 'mounted';
        }
        return undefined;
      } catch (err) {
        // The token for both repositories refused (a token service that grants one repository a
        // token, or credentials that may not read `from`): a mount is only a shortcut, and every
        // tag sharing a layer failed for it (tokens4 hunt). Checked and sent as without one; the
        // registry's later blobs ask for no such token. Refused credentials fail the check below too.
        if (!(err instanceof AuthError)) throw err;
        ctx.ledger.pairRefused(dst.mountScope);
      }
    }
    if (selfMountChecks(ctx, dst)) {
      // A registry that honours mounts answers a mount from the repository itself like a HEAD
      // (201: already here) and, when absent, opens the upload session the bytes need anyway
      // (202): one request where HEAD + POST would be two.
      const known = ctx.ledger.mountsWork(dst.mountScope);
      try {
        const here = await dst.mountBlob(desc, dst.mountPath, opts);
        if (here) ctx.ledger.mountWorked(dst.mountScope);
        // Before mounts are known to work, a 202 may be a registry that ignores them (ECR) and
        // holds the blob all the same (a rerun of an interrupted first sync): a blob too large
        // to send again on a guess is asked by HEAD first.
        else if (!known && desc.size > SMALL_BLOB_BYTES && (await dst.exists(desc, opts))) return answered(ctx, dst, 'existing');
        return answered(ctx, dst, here ? 'existing' : undefined);
      } catch (err) {
        // Tried before the registry's mount support was known: one that refuses mounts outright
        // is asked by HEAD from now on. A failure of the registry itself stays a failure.
        if (known || !refusesMounts(err)) throw err;
        ctx.ledger.mountIgnored(dst.mountScope);
      }
    }
  }
  return answered(ctx, dst, (await dst.exists(desc, opts)) ? 'existing' : undefined);
}

/**
 * A HEAD the registry failed (5xx, after the transport's retries): writing the blob or manifest
 * makes it present either way, so the check is no reason to give up (Nexus answers 500 to the
 * HEAD of a blob it lacks, podman-container-tools/skopeo#1639). The write is tried instead; a
 * registry that is down fails it with its own error. A failed self-mount is not: it is the very
 * request an upload would start with.
 */
export function writeDespiteCheck(err: unknown): boolean {
  return err instanceof RegistryResponseError && err.status >= 500 && err.method === 'HEAD';
}

/** A refusal of the mount request itself (400 for parameters it does not take, 405, 501), not of access or of service. */
function refusesMounts(err: unknown): boolean {
  if (!(err instanceof RegistryResponseError)) return false;
  return err.status === 501 || (err.status >= 400 && err.status < 500 && ![401, 403, 404, 408, 429].includes(err.status));
}

/**
 * Whether a presence check at `dst` is a self-mount: where the registry honours mounts, and,
 * before that is known, in a repository that has been lacking everything (a new home, a
 * backfill), where a blob is nearly always absent: a registry that ignores mounts answers 202
 * with the upload session the blob needs anyway, so the self-mount costs nothing there and
 * saves the first wave its HEADs and the wait for the mount probe.
 */
export function selfMountChecks(ctx: CopyContext, dst: Repository): boolean {
  if (ctx.dryRun || !canMount(dst)) return false;
  return ctx.ledger.mountsWork(dst.mountScope) || (ctx.ledger.mountsUnknown(dst.mountScope) && ctx.ledger.absences.cold(dst.name));
}

/** Notes what a destination's own presence check found (read-ahead.ts learns from it). */
function answered(ctx: CopyContext, dst: Repository, found: BlobOutcome | undefined): BlobOutcome | undefined {
  ctx.ledger.absences.answer(dst.name, found !== undefined);
  return found;
}

/**
 * After the first upload into a registry whose mount support is unknown, one self-mount of the
 * blob just pushed tells whether it honours mounts (201): from then on a self-mount replaces
 * HEAD + POST for every blob there, instead of waiting for a shared layer to prove it.
 */
export async function probeMounts(ctx: CopyContext, desc: Descriptor, dst: Repository): Promise<void> {
  if (!canMount(dst) || !mountable(desc) || !ctx.ledger.firstMountProbe(dst.mountScope)) return;
  try {
    // 202 for a blob it has just stored: it ignores mounts, so its checks are HEADs from now on.
    if (await dst.mountBlob(desc, dst.mountPath, callOptions(ctx))) ctx.ledger.mountWorked(dst.mountScope);
    else ctx.ledger.mountIgnored(dst.mountScope);
  } catch {
    // Only a hint: without it the copy goes on with HEAD + POST, which is just as correct.
  }
}

/** The probe gates of one blob copy (CopyLedger.probeGate): those its checks wait on, those it opens when done. */
export interface Gates {
  waits: Map<Repository, Promise<void>>;
  opens: Map<Repository, () => void>;
}

/**
 * The gates of the destinations whose check would choose between HEAD and self-mount (no mount
 * source). Gates are claimed with the copy's other claims, before it awaits anything, so a copy
 * only ever waits on an earlier one; and a copy that opens a gate waits on none, since the checks
 * queued behind it need its upload and probe as soon as they can be had.
 */
export function probeGates(ctx: CopyContext, dsts: Repository[], sources: Map<Repository, MountSource>): Gates {
  const gates: Gates = { waits: new Map(), opens: new Map() };
  if (ctx.dryRun) return gates;
  for (const dst of dsts) {
    if (!canMount(dst) || sources.get(dst) !== undefined || selfMountChecks(ctx, dst)) continue;
    const { wait, open } = ctx.ledger.probeGate(dst.mountScope);
    if (open) gates.opens.set(dst, open);
    if (wait) gates.waits.set(dst, wait);
  }
  if (gates.opens.size > 0) gates.waits.clear();
  return gates;
}
