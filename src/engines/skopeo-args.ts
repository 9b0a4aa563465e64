// The `skopeo copy` argument list for one (source tag → target repository) copy, as a pure
// function so tests can check every flag without running skopeo. Secrets never appear here:
// credentials travel in auth files named by path (see skopeo-auth.ts).
import type { RegistrySettings } from '../config/model.js';
import type { RepositoryRef } from '../types/reference.js';
import { UsageError } from '../types/errors.js';
import { skopeoAddress, type SkopeoAddress } from './skopeo-address.js';
import { DEBUG_FLAG } from './skopeo-debug.js';

/** One copy the sync asks for: `source@digest` (known as `tag`) becomes `target:tag`. */
export interface SkopeoCopyRequest {
  source: RepositoryRef;
  target: RepositoryRef;
  tag: string;
  /** Pinned source digest: copy exactly this (source@digest → target:tag), so a source retagged meanwhile cannot slip in. */
  digest: string;
  signal?: AbortSignal;
}

/** Per-side files prepared by the engine; absent auth file = anonymous (`--*-no-creds`). */
export interface SkopeoSideFiles {
  authFile?: string;
  certDir?: string;
}

/** Everything besides the request that decides the arguments. */
export interface SkopeoArgsContext {
  registries?: Map<string, RegistrySettings>;
  endpoints?: Map<string, string>;
  source?: SkopeoSideFiles;
  target?: SkopeoSideFiles;
  /** Where skopeo writes the digest it pushed, checked against req.digest afterwards. */
  digestFile?: string;
  /** No containers policy.json on this machine: skip the policy check instead of failing. */
  insecurePolicy?: boolean;
  /** `--debug`: a re-run whose output must show what the registry answered (skopeo-debug.ts). */
  debug?: boolean;
  /** Copy one piece of an index only (see SkopeoPiece); the whole image when absent. */
  piece?: SkopeoPiece;
}

/**
 * A piece of an index's copy, for re-runs under a flaky registry (skopeo-reruns.ts): one platform
 * manifest, by digest on both sides; or the index alone, over platforms already at the target.
 */
export type SkopeoPiece = { child: string } | { indexOnly: true };

/** How skopeo reaches a registry repository, or undefined for an OCI layout. */
export function addressOf(repo: RepositoryRef, ctx: Pick<SkopeoArgsContext, 'registries' | 'endpoints'>): SkopeoAddress | undefined {
  if (repo.scheme !== 'registry') return undefined;
  return skopeoAddress(repo.registry, ctx.registries?.get(repo.registry), ctx.endpoints?.get(repo.registry));
}

/** The full argument array for `skopeo` (no shell, one element per argument). */
export function skopeoArgs(req: SkopeoCopyRequest, ctx: SkopeoArgsContext = {}): string[] {
  const args: string[] = [];
  if (ctx.debug) args.push(DEBUG_FLAG);
  if (ctx.insecurePolicy) args.push('--insecure-policy');
  const which = !ctx.piece ? ['--all'] : 'child' in ctx.piece ? [] : ['--multi-arch', 'index-only'];
  args.push('copy', ...which, '--preserve-digests', '--retry-times', '3', '--quiet');
  if (ctx.digestFile) args.push('--digestfile', ctx.digestFile);
  args.push(...sideFlags('src-', addressOf(req.source, ctx), ctx.source));
  args.push(...sideFlags('dest-', addressOf(req.target, ctx), ctx.target));
  if (ctx.piece && 'child' in ctx.piece) args.push(...childImages(req, ctx.piece.child, ctx));
  else args.push(sourceImage(req, ctx), targetImage(req, ctx));
  return args;
}

/** `skopeo inspect --raw` of the pinned source manifest (registry sources only). */
export function inspectArgs(req: SkopeoCopyRequest, ctx: SkopeoArgsContext = {}): string[] {
  return ['inspect', '--raw', '--retry-times', '3', ...sideFlags('', addressOf(req.source, ctx), ctx.source), sourceImage(req, ctx)];
}

/** One platform manifest of the index, by digest on both sides (registry to registry only). */
export function childImages(req: SkopeoCopyRequest, child: string, ctx: Pick<SkopeoArgsContext, 'registries' | 'endpoints'> = {}): [string, string] {
  const at = (side: 'source' | 'target') => {
    const repo = req[side];
    if (repo.scheme !== 'registry') throw new UsageError('a platform of an index is copied alone between registries only');
    return `docker://${addressOf(repo, ctx)!.host}/${repo.repository}@${child}`;
  };
  return [at('source'), at('target')];
}

function sideFlags(prefix: 'src-' | 'dest-' | '', address: SkopeoAddress | undefined, files: SkopeoSideFiles = {}): string[] {
  if (!address) return [];
  const out: string[] = [];
  if (!address.tlsVerify) out.push(`--${prefix}tls-verify=false`);
  // Under tls-verify=false the dir still gives skopeo a client certificate (mutual TLS).
  if (files.certDir && (address.tlsVerify || address.certsDir)) out.push(`--${prefix}cert-dir`, files.certDir);
  // Anonymous must stay anonymous: without --no-creds skopeo would fall back to ~/.docker/config.json.
  if (files.authFile) out.push(`--${prefix}authfile`, files.authFile);
  else out.push(`--${prefix}no-creds`);
  return out;
}

/** The source by digest on a registry; on a layout by tag (skopeo 1.9 has no `oci:DIR@digest`; the engine checks the tag). */
export function sourceImage(req: SkopeoCopyRequest, ctx: Pick<SkopeoArgsContext, 'registries' | 'endpoints'> = {}): string {
  if (req.source.scheme === 'oci') return `oci:${layoutDir(req.source.dir)}:${req.tag}`;
  return `docker://${addressOf(req.source, ctx)!.host}/${req.source.repository}@${req.digest}`;
}

/** The target by tag. */
export function targetImage(req: SkopeoCopyRequest, ctx: Pick<SkopeoArgsContext, 'registries' | 'endpoints'> = {}): string {
  if (req.target.scheme === 'oci') return `oci:${layoutDir(req.target.dir)}:${req.tag}`;
  return `docker://${addressOf(req.target, ctx)!.host}/${req.target.repository}:${req.tag}`;
}

function layoutDir(dir: string): string {
  // skopeo splits `oci:DIR:REF` at the first colon after `oci:`; a colon in DIR would be misread.
  if (dir.includes(':')) throw new UsageError(`oci:${dir}: engine: skopeo cannot use a layout path containing ":"`);
  return dir;
}
