// A real squid (Debian's package) as the corporate forward proxy between regmirror and the test
// registries: squid's own default ACLs (CONNECT only to SSL_ports, 443; Safe_ports), on a loopback
// port of its own, run in the foreground (-N) with its config, pid and logs in a scratch directory
// and no disk cache. Registries are asked for by a name only squid knows (registry.proxy.test, in
// its own hosts_file, mapped to 127.0.0.1), as regmirror never sends a loopback address through a
// proxy. A variant asks for basic_ncsa_auth credentials, opens more CONNECT ports, or adds squid's
// own directives (connect_timeout, request_body_max_size).
import { execFile, type ChildProcess } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROXIED_NAME } from './forward-proxy.js';
import { spawnDaemon, stopDaemon } from './daemon.js';
import { reservePort } from './ports.js';
import { scratchDir } from './scratch.js';

export interface SquidOptions {
  /** USER:PASSWORD squid's basic_ncsa_auth accepts (an htpasswd file); no credentials needed without. */
  credentials?: string;
  /** Ports squid lets CONNECT reach besides 443 (its SSL_ports). */
  sslPorts?: number[];
  /** squid.conf directives added after the defaults (`connect_timeout 2 seconds`). */
  directives?: string[];
}

/** One request as squid logged it: method, URL (host:port for CONNECT), squid's status and result code. */
export interface SquidRequest { method: string; url: string; status: number; result: string }

export interface RunningSquid {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Every request squid finished so far, in order (its access.log). */
  requests(): Promise<SquidRequest[]>;
  close(): Promise<void>;
}

export async function startSquid(opts: SquidOptions = {}): Promise<RunningSquid> {
  const dir = await scratchDir('squid');
  // Squid started as root runs as its cache_effective_user (proxy), which must write here.
  await chmod(dir, 0o777);
  const port = await reservePort();
  const log = join(dir, 'access.log');
  await writeFile(join(dir, 'hosts'), `127.0.0.1 ${PROXIED_NAME}\n`);
  const auth: string[] = [];
  if (opts.credentials) {
    const [user, password] = opts.credentials.split(/:(.*)/s) as [string, string];
    const { stdout } = await promisify(execFile)('openssl', ['passwd', '-apr1', password]);
    await writeFile(join(dir, 'htpasswd'), `${user}:${stdout.trim()}\n`, { mode: 0o644 });
    auth.push(`auth_param basic program /usr/lib/squid/basic_ncsa_auth ${join(dir, 'htpasswd')}`, 'auth_param basic realm proxy', 'acl authed proxy_auth REQUIRED', 'http_access deny !authed');
  }
  await writeFile(join(dir, 'squid.conf'), `${[
    `http_port 127.0.0.1:${port}`,
    `pid_filename ${join(dir, 'squid.pid')}`,
    `cache_log ${join(dir, 'cache.log')}`,
    'logformat requests %rm %ru %>Hs %Ss',
    `access_log stdio:${log} requests`,
    'logfile_rotate 0',
    'cache deny all',
    'cache_mem 0 MB',
    `coredump_dir ${dir}`,
    `hosts_file ${join(dir, 'hosts')}`,
    'shutdown_lifetime 0 seconds',
    // squid.conf's defaults, as Debian ships them.
    'acl SSL_ports port 443', ...(opts.sslPorts ?? []).map((p) => `acl SSL_ports port ${p}`),
    'acl Safe_ports port 80', 'acl Safe_ports port 443', 'acl Safe_ports port 1025-65535',
    'http_access deny !Safe_ports',
    'http_access deny CONNECT !SSL_ports',
    ...auth,
    'http_access allow localhost',
    'http_access deny all',
    ...(opts.directives ?? []),
  ].join('\n')}\n`);
  const child = spawnDaemon('squid', ['-N', '-f', join(dir, 'squid.conf')]);
  await waitReady(port, child, join(dir, 'cache.log'));
  return {
    url: `http://127.0.0.1:${port}`, port,
    async requests() {
      const text = existsSync(log) ? await readFile(log, 'utf8') : '';
      return text.split('\n').filter(Boolean).map((line) => {
        const [method, url, status, result] = line.split(' ');
        return { method: method!, url: url!, status: Number(status), result: result! };
      });
    },
    close: () => stopDaemon(child, 5000),
  };
}

async function waitReady(port: number, child: ChildProcess, cacheLog: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`squid exited with ${child.exitCode}: ${existsSync(cacheLog) ? readFileSync(cacheLog, 'utf8') : ''}`);
    const listening = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (listening) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`squid did not start listening on 127.0.0.1:${port}; see ${cacheLog}`);
}
