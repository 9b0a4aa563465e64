// skopeo as the independent second opinion: what a widely used client sees in a registry,
// so a test never trusts regmirror's own reading of what regmirror wrote.
import { createHash } from 'node:crypto';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** Credentials for one side: `user:pass` (basic) or a bearer token. */
export interface SkopeoAuth { creds?: string; registryToken?: string }

/** Auth for both sides of a copy. */
export interface SkopeoCopyOptions { src?: SkopeoAuth; dest?: SkopeoAuth; preserveDigests?: boolean }

/** Runs skopeo; failures become one error line with credentials masked (execa's message would show them). */
async function skopeo(args: string[], secrets: string[]): Promise<Buffer> {
  // stripFinalNewline: false — a manifest's bytes may end in a newline (go-containerregistry's test layouts do).
  const result = await execa('skopeo', args, { reject: false, encoding: 'buffer', stdin: 'ignore', timeout: 300_000, stripFinalNewline: false });
  if (result.exitCode !== 0) {
    let line = `skopeo ${args.join(' ')} failed (${result.exitCode ?? result.signal}): ${Buffer.from(result.stderr).toString('utf8').trim()}`;
    for (const s of secrets) line = line.split(s).join('***');
    throw new Error(line);
  }
  return Buffer.from(result.stdout);
}

function authArgs(prefix: '' | 'src-' | 'dest-', auth: SkopeoAuth | undefined): string[] {
  const out: string[] = [];
  if (auth?.creds) out.push(`--${prefix}creds`, auth.creds);
  if (auth?.registryToken) out.push(`--${prefix}registry-token`, auth.registryToken);
  return out;
}

function secretsOf(...auths: (SkopeoAuth | undefined)[]): string[] {
  return auths.flatMap((a) => [a?.creds, a?.creds?.split(':').slice(1).join(':'), a?.registryToken]).filter((s): s is string => !!s);
}

/** `HOST/REPO:TAG` gets `docker://`; references that name their transport (oci:, dir:, docker://) stay. */
function docker(ref: string): string {
  return /^(docker:\/\/|oci:|dir:|oci-archive:|docker-archive:)/.test(ref) ? ref : `docker://${ref}`;
}

/**
 * The digest skopeo sees for `ref` (`HOST/REPO:TAG`, with or without `docker://`): sha256 of the
 * raw manifest bytes, cross-checked against skopeo's own `{{.Digest}}`.
 */
export async function skopeoDigest(ref: string, opts: SkopeoAuth = {}): Promise<string> {
  const secrets = secretsOf(opts);
  const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', ...authArgs('', opts), docker(ref)], secrets);
  const digest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const reported = (await skopeo(['inspect', '--tls-verify=false', '--format', '{{.Digest}}', ...authArgs('', opts), docker(ref)], secrets)).toString('utf8').trim();
  if (reported !== digest) throw new Error(`skopeo disagrees with itself for ${ref}: raw bytes ${digest}, inspect ${reported}`);
  return digest;
}

/** The raw manifest bytes skopeo reads for `ref`. */
export async function skopeoRawManifest(ref: string, opts: SkopeoAuth = {}): Promise<Buffer> {
  return skopeo(['inspect', '--raw', '--tls-verify=false', ...authArgs('', opts), docker(ref)], secretsOf(opts));
}

/** `skopeo copy --all` (every platform of an index), e.g. to `dir:/tmp/x` or `oci:/tmp/x:tag`. */
export async function skopeoCopyAll(src: string, dst: string, opts: SkopeoCopyOptions = {}): Promise<void> {
  const args = ['copy', '--all', '--quiet', '--src-tls-verify=false'];
  if (dst.startsWith('docker://')) args.push('--dest-tls-verify=false');
  if (opts.preserveDigests) args.push('--preserve-digests');
  args.push(...authArgs('src-', opts.src), ...authArgs('dest-', opts.dest), docker(src), dst);
  await skopeo(args, secretsOf(opts.src, opts.dest));
}

/** Tags skopeo lists for `HOST/REPO`, sorted. */
export async function skopeoListTags(repo: string, opts: SkopeoAuth = {}): Promise<string[]> {
  const out = await skopeo(['list-tags', '--tls-verify=false', ...authArgs('', opts), docker(repo)], secretsOf(opts));
  const parsed = JSON.parse(out.toString('utf8')) as { Tags?: string[] | null };
  return [...(parsed.Tags ?? [])].sort();
}

/** skopeoDigest for a TLS registry, verified through `certDir` (a directory with the CA as ca.crt). */
export async function skopeoDigestVerified(ref: string, certDir: string, opts: SkopeoAuth = {}): Promise<string> {
  const raw = await skopeo(['inspect', '--raw', '--cert-dir', certDir, ...authArgs('', opts), docker(ref)], secretsOf(opts));
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** A wrapper around skopeo in `dir` that counts its `copy` runs: the engine's binary, and how many runs since `reset`. */
export async function countingSkopeo(dir: string): Promise<{ binary: string; runs(): Promise<number>; reset(): Promise<void> }> {
  const log = join(dir, 'runs.log');
  const binary = join(dir, 'skopeo-counting.sh');
  await writeFile(binary, `#!/bin/sh\n[ "$1" = copy ] || [ "$2" = copy ] && echo copy >> '${log}'\nexec skopeo "$@"\n`);
  await chmod(binary, 0o755);
  return {
    binary,
    runs: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l === 'copy').length,
    reset: () => rm(log, { force: true }),
  };
}
