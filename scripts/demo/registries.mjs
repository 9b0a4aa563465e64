// Local `docker-registry serve` processes (CNCF distribution 2.8) on 127.0.0.1 free ports, data in
// a temp dir; everything started here is ended and removed however the demo exits, Ctrl-C included.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort, waitReady } from '../lib/registry-process.mjs';

const children = new Set();
const tempDirs = new Set();

function cleanUp() {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
process.once('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    cleanUp();
    process.stderr.write(`\ndemo: interrupted (${signal}); registries stopped, temp files removed\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

/** A temp dir removed at exit. */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/**
 * Starts a registry and waits until it answers. `user`/`password` turn on htpasswd basic auth;
 * `tls` (tls.mjs demoCa) serves HTTPS with its server certificate; its log goes to
 * `logDir/<name>-registry.log` (kept, for when something goes wrong).
 * Returns { name, host, url, user, password, dispatcher }: what the demo's own raw HTTP needs.
 */
export async function startRegistry(name, { user, password, tls, logDir }) {
  const dir = tempDir(`regmirror-demo-${name}-`);
  const port = await freePort();
  let auth = '';
  if (user) {
    const line = (await execa('htpasswd', ['-Bbn', user, password])).stdout.trim();
    writeFileSync(join(dir, 'htpasswd'), `${line}\n`);
    auth = `auth:\n  htpasswd:\n    realm: ${name}\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  const config = join(dir, 'config.yml');
  writeFileSync(config, [
    'version: 0.1',
    'log:\n  level: warn\n  accesslog:\n    disabled: true',
    `storage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false`,
    `http:\n  addr: 127.0.0.1:${port}\n  secret: regmirror-demo-${port}`,
    tls ? `  tls:\n    certificate: ${tls.server.cert}\n    key: ${tls.server.key}` : '',
    auth,
  ].join('\n'));
  const logPath = join(logDir, `${name}-registry.log`);
  const fd = openSync(logPath, 'a');
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  await waitReady(url, child, logPath, tls?.dispatcher);
  return { name, host: `127.0.0.1:${port}`, url, user, password, dispatcher: tls?.dispatcher, certDir: tls?.certDir };
}
