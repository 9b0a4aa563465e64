// Credentials for skopeo without ever putting them on its command line (visible in `ps`):
// one containers-auth.json per (logical host, connect host, repository), mode 0600, in a private temp dir
// that close() removes, and the process removes on exit if close() was never reached.
import { rmSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../config/model.js';
import type { ImageWork } from '../config/workitems.js';
import type { Credential, CredentialProvider } from '../registry/credentials.js';
import { pemCertificates } from '../types/certificates.js';
import { UsageError } from '../types/errors.js';
import { registerSecret } from '../ui/redact.js';
import type { SkopeoAddress } from './skopeo-address.js';

/**
 * The auth.json text for `host` (containers-auth.json(5)). An identity token also needs an
 * `auth` that decodes to `user:pass` form, or containers/image ignores the entry; the token is
 * then exchanged with grant_type=refresh_token, as docker does.
 */
export function authFileContent(host: string, credential: Credential): string {
  let entry: Record<string, string>;
  if ('username' in credential) {
    const auth = Buffer.from(`${credential.username}:${credential.password}`).toString('base64');
    registerSecret(auth);
    entry = { auth };
  } else if ('identityToken' in credential) {
    registerSecret(credential.identityToken);
    entry = { auth: Buffer.from('<token>:').toString('base64'), identitytoken: credential.identityToken };
  } else {
    registerSecret(credential.registryToken);
    throw tokenRefusal(host, credential.from);
  }
  return `${JSON.stringify({ auths: { [host]: entry } }, null, 2)}\n`;
}

// skopeo reads a registry (bearer) token only from --registry-token, i.e. the command line.
function tokenRefusal(host: string, from?: string): UsageError {
  return new UsageError(`${host}: engine: skopeo cannot use a bearer token${from ? `, from ${from},` : ' (tokenEnv)'} without exposing it on the command line; use username/password or engine: native`);
}

/**
 * Refuses, before any request, a run whose copies by skopeo (the item's engine, or --engine) reach
 * a registry whose credential is a bearer token: every such copy would fail alike, tag by tag,
 * after the native listing had gone out with the token (a token the registry refused was then said
 * as 'repository absent or access denied' on every tag, the reason never).
 */
export async function refuseSkopeoTokens(work: ImageWork[], engine: Engine | undefined, credentials: CredentialProvider): Promise<void> {
  const repositories = new Map<string, { host: string; repository: string }>();
  for (const w of work) {
    if ((engine ?? w.item.engine) !== 'skopeo') continue;
    for (const ref of [w.source, ...w.targets.map((t) => t.ref)]) if (ref.scheme === 'registry') repositories.set(`${ref.registry}/${ref.repository}`, { host: ref.registry, repository: ref.repository });
  }
  for (const { host, repository } of repositories.values()) {
    const credential = await credentials(host, repository);
    if (credential && 'registryToken' in credential) throw tokenRefusal(host, credential.from);
  }
}

// Every work dir still on disk, removed synchronously when the process exits.
const liveDirs = new Set<string>();
let exitHookInstalled = false;
function trackForExit(dir: string): void {
  liveDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
}

/** The engine's private temp dir: auth files, CA dirs and digest files, created on first use. */
export class SkopeoWorkdir {
  private dir?: Promise<string>;
  private readonly authFiles = new Map<string, Promise<string | undefined>>();
  private readonly certDirs = new Map<string, Promise<string>>();
  private counter = 0;

  constructor(private readonly credentials: CredentialProvider) {}

  /** The directory, created with mode 0700 (mkdtemp) on first call. */
  path(): Promise<string> {
    this.dir ??= mkdtemp(join(tmpdir(), 'regmirror-skopeo-')).then((d) => {
      trackForExit(d);
      return d;
    });
    return this.dir;
  }

  /** The auth file for `repository` at `address`, or undefined when it has no credential (anonymous). */
  authFileFor(address: SkopeoAddress, repository: string): Promise<string | undefined> {
    const key = `${address.logicalHost}\0${address.host}\0${repository}`;
    let file = this.authFiles.get(key);
    if (!file) {
      file = this.writeAuthFile(address, repository, this.authFiles.size);
      this.authFiles.set(key, file);
    }
    return file;
  }

  /**
   * A directory holding `caFile` as a `*.crt`, the layout skopeo's --*-cert-dir expects (its CAs add
   * to the system roots), and NODE_EXTRA_CA_CERTS's certificates beside it: the native client
   * trusts those, and Go never reads that variable. A --cert-dir replaces skopeo's own certs.d
   * lookup, so the host's certs.d files (the native client's too) are copied in as well. The CA
   * files go in as their certificates alone, so that skopeo finds every one the native client does.
   */
  certDirFor(address: SkopeoAddress): Promise<string> | undefined {
    const caFile = address.tlsVerify ? address.caFile : undefined;
    const extra = address.tlsVerify ? process.env.NODE_EXTRA_CA_CERTS || undefined : undefined;
    const certsDir = address.certsDir;
    if (!caFile && !extra && !certsDir) return undefined;
    const key = `${caFile ?? ''}\0${extra ?? ''}\0${certsDir ?? ''}`;
    let dir = this.certDirs.get(key);
    if (!dir) {
      dir = (async () => {
        const d = join(await this.path(), `certs-${this.certDirs.size}`);
        await mkdir(d, { mode: 0o700 });
        if (certsDir) await cp(certsDir, d, { recursive: true });
        if (caFile) await copyCertificates(caFile, join(d, 'regmirror-ca-file.crt'));
        // Unreadable: Node ignored it too (with a warning at start-up).
        if (extra) await copyCertificates(extra, join(d, 'node-extra-ca-certs.crt')).catch(() => undefined);
        return d;
      })();
      this.certDirs.set(key, dir);
    }
    return dir;
  }

  /** A fresh file name for one copy's --digestfile. */
  async digestFile(): Promise<string> {
    return join(await this.path(), `digest-${this.counter++}`);
  }

  /** Removes everything written; later calls start a new directory. */
  async remove(): Promise<void> {
    const pending = this.dir;
    this.dir = undefined;
    this.authFiles.clear();
    this.certDirs.clear();
    if (!pending) return;
    const dir = await pending.catch(() => undefined);
    if (!dir) return;
    await rm(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
  }

  private async writeAuthFile(address: SkopeoAddress, repository: string, n: number): Promise<string | undefined> {
    // Looked up by the logical host (quay.io) and repository (a namespace's own login), written
    // under the host skopeo connects to: the one login this copy's side uses.
    const credential = await this.credentials(address.logicalHost, repository);
    if (!credential) return undefined;
    const content = authFileContent(address.host, credential);
    const file = join(await this.path(), `auth-${n}.json`);
    await writeFile(file, content, { mode: 0o600, flag: 'wx' });
    return file;
  }
}

async function copyCertificates(from: string, to: string): Promise<void> {
  await writeFile(to, pemCertificates(await readFile(from)));
}
