// Real `docker-registry` (CNCF distribution 2.8.2) processes for integration tests:
// plain, htpasswd or token auth, on 127.0.0.1 and a free port, with data in a temp dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { startTokenServer, type TokenServer } from './token-server.js';
import { startFaultProxy, type Personality } from './fault-proxy.js';
import { testCerts, trustFor, trustTestCa, type CertKind } from './tls.js';
import { scratchDir } from './scratch.js';
import { reservePort } from './ports.js';
import { Agent, request } from 'undici';

export type { TokenServer } from './token-server.js';

/** A registry process the test can stop, restart on the same port and data, and inspect. */
export interface RunningRegistry {
  host: string;
  url: string;
  dataDir: string;
  auth: 'none' | 'htpasswd' | 'token';
  users: Record<string, string>;
  tokenServer?: TokenServer;
  /** tls: the test CA that signed the registry's certificate (a mirrors.yaml `caFile`). */
  caFile?: string;
  /** tls: a directory with the CA as `ca.crt` (skopeo --cert-dir). */
  certDir?: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * SIGSTOP (true) or SIGCONT (false) the process: hung, its connections are accepted by the
   * kernel and never answered, as a registry stuck behind its front end (outage hunt).
   */
  hang(on: boolean): void;
  logPath: string;
}

/** How to start a registry. */
export interface RegistryOptions {
  auth?: 'none' | 'htpasswd' | 'token';
  users?: Record<string, string>;
  anonymousPull?: boolean;
  readOnlyUsers?: string[];
  /** token: users whose grants stop at these namespaces (a quay robot account of one organisation). */
  namespacesOf?: Record<string, string[]>;
  deleteEnabled?: boolean;
  /** token: identity (refresh) tokens the token server accepts, mapped to users. */
  refreshTokens?: Record<string, string>;
  /** token: lifetime of issued tokens in seconds. */
  expiresIn?: number;
  /**
   * Serve HTTPS (distribution's http.tls) with a certificate from the test CA (test/harness/tls.ts):
   * true or 'good' = right for 127.0.0.1; 'wrongName' and 'expired' for the TLS failure tests;
   * 'selfSigned' is its own CA (the registry's caFile and certDir are then that certificate's).
   * This process's fetch() then trusts the test CA. The token server stays plain HTTP.
   */
  tls?: boolean | CertKind;
  /** tls: ask every client for a certificate the test CA signed (distribution's http.tls.clientcas: mutual TLS); the test CA's `client` is one. */
  clientCerts?: boolean;
  /**
   * token: put the token service behind HTTPS on another origin (`https://localhost:PORT/token`, a
   * fault proxy with this test certificate), as registries whose realm is a separate auth host are.
   */
  realmTls?: CertKind;
  /**
   * Regexes for `validation.manifests.urls.allow`: the URLs a manifest's foreign layers may name.
   * Unset, distribution 2.8 allows none (a manifest with a foreign layer is refused: 500 UNKNOWN +
   * MANIFEST_BLOB_UNKNOWN naming the layer): the default of a registry run in-house.
   */
  manifestUrlsAllow?: string[];
  /** token: put the token service behind a fault proxy playing these (personalities/token-service.ts). */
  realmPersonalities?: Personality[];
}

export const DEFAULT_USERS: Record<string, string> = { admin: 's3cret-admin', reader: 's3cret-reader' };

// Every child we started, killed when the test process exits however it exits.
// Children are unref'd so a forgotten stop() cannot hang the test file; this handler still ends them.
// Registered when this module loads, so it runs before scratchDir's removal of their directories.
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Starts a registry and waits until /v2/ answers. Its port is reserved for this test process
 * (./ports.ts); one that something else took all the same is given up for a new one (a few times).
 */
export async function startRegistry(opts: RegistryOptions = {}): Promise<RunningRegistry> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRegistryOnce(opts);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt === 3) throw err;
    }
  }
}

async function startRegistryOnce(opts: RegistryOptions): Promise<RunningRegistry> {
  const auth = opts.auth ?? 'none';
  const users = opts.users ?? DEFAULT_USERS;
  const dir = await scratchDir('registry');
  const dataDir = join(dir, 'data');
  const logPath = join(dir, 'registry.log');
  const port = await reservePort();
  let tokenServer: TokenServer | undefined;
  let authYaml = '';
  if (auth === 'htpasswd') {
    const lines = await Promise.all(Object.entries(users).map(async ([u, p]) => (await execa('htpasswd', ['-Bbn', u, p])).stdout.trim()));
    await writeFile(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
    authYaml = `auth:\n  htpasswd:\n    realm: regmirror-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth === 'token') {
    tokenServer = await startTokenServer(dir, {
      users, readOnlyUsers: opts.readOnlyUsers, namespacesOf: opts.namespacesOf, anonymousPull: opts.anonymousPull, refreshTokens: opts.refreshTokens, expiresIn: opts.expiresIn,
    });
    if (opts.realmTls || opts.realmPersonalities) {
      const tls = opts.realmTls ? (await testCerts()).servers[opts.realmTls] : undefined;
      const proxy = await startFaultProxy(new URL(tokenServer.realm).origin, { ...(tls ? { tls } : {}), personalities: opts.realmPersonalities ?? [] });
      const plain = tokenServer.stop;
      tokenServer.stop = async () => { await proxy.close(); await plain(); };
      tokenServer.realm = tls ? `https://localhost:${new URL(proxy.url).port}/token` : `${proxy.url}/token`;
    }
    authYaml = `auth:\n  token:\n    realm: ${tokenServer.realm}\n    service: ${tokenServer.service}\n    issuer: ${tokenServer.issuer}\n    rootcertbundle: ${tokenServer.certPath}\n`;
  }
  const certKind: CertKind | undefined = opts.tls === true ? 'good' : opts.tls || undefined;
  const certs = certKind ? await testCerts() : undefined;
  if (certs) await trustTestCa();
  const clientCas = certs && opts.clientCerts ? `\n    clientcas:\n      - ${certs.caFile}` : '';
  const tlsYaml = certs && certKind ? `\n  tls:\n    certificate: ${certs.servers[certKind].cert}\n    key: ${certs.servers[certKind].key}${clientCas}` : '';
  // Readiness is asked unverified, with the client certificate a mutual-TLS registry wants.
  const readiness = certs && opts.clientCerts ? new Agent({ connect: { rejectUnauthorized: false, cert: readFileSync(certs.client.cert), key: readFileSync(certs.client.key) } }) : readinessAgent;
  const config = join(dir, 'config.yml');
  await writeFile(config, [
    'version: 0.1',
    'log:\n  level: info\n  accesslog:\n    disabled: false',
    `storage:\n  filesystem:\n    rootdirectory: ${dataDir}\n  delete:\n    enabled: ${opts.deleteEnabled ?? true}\n  maintenance:\n    uploadpurging:\n      enabled: false`,
    `http:\n  addr: 127.0.0.1:${port}\n  secret: regmirror-test-secret${tlsYaml}`,
    authYaml,
    opts.manifestUrlsAllow ? `validation:\n  manifests:\n    urls:\n      allow:\n${opts.manifestUrlsAllow.map((r) => `        - ${JSON.stringify(r)}`).join('\n')}\n` : '',
  ].join('\n'));
  let child: ChildProcess | undefined;
  const reg: RunningRegistry = {
    host: `127.0.0.1:${port}`,
    url: `${certs ? 'https' : 'http'}://127.0.0.1:${port}`,
    dataDir, auth, users, tokenServer, logPath,
    ...(certs && certKind ? trustFor(certs, certKind) : {}),
    async start() {
      if (child) return;
      // Readiness reads only what this start logs (a restart appends to the same log).
      const logFrom = existsSync(logPath) ? statSync(logPath).size : 0;
      const fd = openSync(logPath, 'a');
      child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
      closeSync(fd);
      child.unref();
      children.add(child);
      const started = child;
      started.once('exit', () => {
        children.delete(started);
        if (child === started) child = undefined;
      });
      await waitReady(reg.url, started, logPath, logFrom, port, readiness);
    },
    hang(on) {
      if (!child?.pid) return;
      child.kill(on ? 'SIGSTOP' : 'SIGCONT');
      settleStopped(child.pid, on);
    },
    async stop() {
      const running = child;
      child = undefined;
      running?.kill('SIGCONT'); // a hung one hears SIGTERM only once woken
      if (!running || running.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
  if (tokenServer) {
    const stopProcess = reg.stop;
    const tokens = tokenServer;
    // stop() keeps the token server (restart needs it); cleanup() below ends both.
    registryCleanups.set(reg, async () => {
      await stopProcess();
      await tokens.stop();
      await rm(dir, { recursive: true, force: true });
    });
  } else {
    registryCleanups.set(reg, async () => {
      await reg.stop();
      await rm(dir, { recursive: true, force: true });
    });
  }
  try {
    await reg.start();
  } catch (err) {
    await destroyRegistry(reg);
    throw err;
  }
  return reg;
}

/** The registry could not bind its port: something else took it after reservePort() checked it. */
class PortTakenError extends Error {}

const registryCleanups = new Map<RunningRegistry, () => Promise<void>>();

/** Stops the registry (and its token server) and removes its data; use in `after()`. */
export async function destroyRegistry(reg: RunningRegistry): Promise<void> {
  const cleanup = registryCleanups.get(reg);
  registryCleanups.delete(reg);
  await (cleanup ? cleanup() : reg.stop());
}

/** Mints a bearer token straight from the token server (for seeding with raw HTTP). */
export async function bearerFor(reg: RunningRegistry, scope: string, subject = 'admin'): Promise<string> {
  if (!reg.tokenServer) throw new Error('bearerFor needs a token-auth registry');
  return reg.tokenServer.mint(subject, scope.split(' '));
}

const readinessAgent = new Agent({ connect: { rejectUnauthorized: false } });

/**
 * Ready when our own child has logged that it listens on its port and /v2/ answers. The log line
 * matters: should something else hold the port all the same (./ports.ts makes that unlikely, not
 * impossible), /v2/ alone would be answered by that server (with another test CA: "not trusted"
 * failures far from the cause).
 */
async function waitReady(url: string, child: ChildProcess, logPath: string, logFrom: number, port: number, agent: Agent): Promise<void> {
  const deadline = Date.now() + 15_000;
  const listening = `listening on 127.0.0.1:${port}`;
  while (Date.now() < deadline) {
    const log = logSince(logPath, logFrom);
    if (child.exitCode !== null) {
      if (log.includes('address already in use')) throw new PortTakenError(`port ${port} was taken before docker-registry bound it`);
      throw new Error(`docker-registry exited with ${child.exitCode}; see ${logPath}`);
    }
    if (log.includes(listening) && await answers(url, agent)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not become ready at ${url}; see ${logPath}`);
}

async function answers(url: string, agent: Agent): Promise<boolean> {
  try {
    // Unverified on purpose: the expired and wrong-name registries must come up too.
    const res = await request(`${url}/v2/`, { dispatcher: agent, reset: true });
    await res.body.arrayBuffer();
    return res.statusCode === 200 || res.statusCode === 401;
  } catch {
    return false; // not listening yet
  }
}

function logSince(logPath: string, from: number): string {
  try {
    return readFileSync(logPath).subarray(from).toString('utf8');
  } catch {
    return '';
  }
}

/**
 * Waits (up to 2 s) until the kernel shows `pid` stopped (`on`) or running again: a signal is
 * delivered asynchronously, and on a loaded 2-core machine a request sent right after SIGSTOP was
 * once answered by the registry (serve/hedged-backend in CI: 200 in 16 ms from the "hung" one).
 */
function settleStopped(pid: number, on: boolean): void {
  const until = Date.now() + 2000;
  while (Date.now() < until) {
    let state: string | undefined;
    try {
      state = /^\d+ \(.*\) (\S)/s.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
    } catch {
      return; // gone, or no /proc: nothing to wait for
    }
    if (state === undefined || (state === 'T') === on) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}
