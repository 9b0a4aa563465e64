// A private containerd for the tests that pull with containerd's own client, `ctr`: its root,
// state and socket in a scratch directory, the native snapshotter (no overlay mounts needed), the
// CRI plugin off, stopped and removed when the test is done. containerd runs as root only (it
// mounts, chowns and makes device nodes), so a test that needs it asks first and skips with the
// reason when it cannot have one, as the podman tests do when podman is missing.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { spawnDaemon, stopDaemon } from './daemon.js';
import { scratchDir } from './scratch.js';

/** What one `ctr` run said. */
export interface CtrResult { exitCode: number | undefined; stdout: string; stderr: string }

/** A running private containerd and `ctr` bound to it, in a namespace of its own. */
export interface Containerd {
  address: string;
  dir: string;
  /**
   * `ctr --address SOCKET --namespace NS ARGS` (never rejects; the result says). Each namespace
   * has content of its own (the content sharing policy is `isolated`, where containerd's default
   * shares blobs across namespaces), so a pull in a fresh one downloads everything again.
   */
  ctr(args: string[], opts?: { namespace?: string; timeoutMs?: number }): Promise<CtrResult>;
  close(): Promise<void>;
}

/** Why containerd cannot run here (a skip reason), or undefined when it can. */
export async function containerdUnavailable(): Promise<string | undefined> {
  const [daemon, client] = await Promise.all([execa('containerd', ['--version'], { reject: false }), execa('ctr', ['--version'], { reject: false })]);
  if (daemon.exitCode !== 0 || client.exitCode !== 0) return 'containerd and ctr are not installed (as root: bash scripts/ensure-deps.sh ctr, which installs Debian\'s containerd)';
  const uid = process.getuid?.();
  if (uid !== 0) return `containerd runs as root only, and these tests run as uid ${uid}: run them as root to pull with ctr`;
  return undefined;
}

/** Starts a private containerd; throws with its log when it does not answer within 30 s. */
export async function startContainerd(): Promise<Containerd> {
  const dir = await scratchDir('containerd');
  const address = join(dir, 'containerd.sock');
  const config = join(dir, 'config.toml');
  await writeFile(config, `version = 2
root = "${dir}/root"
state = "${dir}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "${address}"
[plugins."io.containerd.metadata.v1.bolt"]
  content_sharing_policy = "isolated"
`);
  const log = join(dir, 'containerd.log');
  const daemon = spawnDaemon('containerd', ['--config', config], log);
  const ctr = async (args: string[], opts: { namespace?: string; timeoutMs?: number } = {}): Promise<CtrResult> => {
    const r = await execa('ctr', ['--address', address, '--namespace', opts.namespace ?? 'regmirror', ...args], { reject: false, timeout: opts.timeoutMs ?? 120_000, stdin: 'ignore' });
    return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  const deadline = Date.now() + 30_000;
  while ((await ctr(['version'], { timeoutMs: 5_000 })).exitCode !== 0) {
    if (daemon.exitCode !== null || Date.now() > deadline) {
      await stopDaemon(daemon);
      const tail = (await execa('tail', ['-n', '5', log], { reject: false })).stdout;
      throw new Error(`containerd did not answer on ${address} within 30 s: ${tail}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { address, dir, ctr, close: () => stopDaemon(daemon, 5_000) };
}

/**
 * A --hosts-dir for ctr: `host` reached over plain HTTP (a gateway on loopback), trusting `caFile`
 * for what it redirects to (the TLS backends its 307s name: containerd's client follows a redirect
 * with the TLS settings of the host it asked). Returns the directory.
 */
export async function plainHostsDir(dir: string, host: string, caFile: string): Promise<string> {
  const hosts = join(dir, 'hosts.d');
  await mkdir(join(hosts, host), { recursive: true });
  await writeFile(join(hosts, host, 'hosts.toml'), `server = "http://${host}"
[host."http://${host}"]
  capabilities = ["pull", "resolve"]
  ca = "${caFile}"
`);
  return hosts;
}
