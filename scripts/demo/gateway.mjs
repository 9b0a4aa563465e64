// The demo's gateway step: `regmirror serve` on a free port in front of the demo's registries,
// one pull through it with skopeo, its counts, and the stats page rendered from its events.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { DemoError, ROOT, regmirror } from './run.mjs';
import { skopeoDigest } from './checks.mjs';
import { check, heading, note, showCommand } from './ui.mjs';
import { listeningUrl } from '../lib/serve-process.mjs';

/** Runs the step; `config` is the demo mirrors.yaml, `dir` the demo's output directory. */
export async function gatewayStep({ config, dir, env, quay }) {
  heading('serve: one neutral name in front of both registries, counting pulls');
  const gatewayConfig = join(dir, 'gateway.yaml');
  const events = join(dir, 'gateway-events.ndjson');
  copyFileSync(config, gatewayConfig);
  appendFileSync(gatewayConfig, `gateway:\n  host: img.demo.test\n  events: ./gateway-events.ndjson\n  healthInterval: 2\n`);
  note(`${relative(ROOT, gatewayConfig)}: the demo config plus a gateway: section; backends are each image's targets
("quay" cert-manager/, then "ghcr" cert-manager/), then its source as the last resort.`);
  const args = ['serve', '-c', relative(ROOT, gatewayConfig), '--listen', '127.0.0.1:0'];
  showCommand(`regmirror ${args.join(' ')} &`);
  const child = spawn('node', [join(ROOT, 'bin', 'regmirror.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await listeningUrl(child, (message) => new DemoError(message));
  const host = new URL(url).host;
  try {
    const ref = 'cert-manager-controller:v1.14.3';
    showCommand(`skopeo copy --all docker://${host}/${ref} oci:${relative(ROOT, join(dir, 'pulled'))}`);
    await execa('skopeo', ['copy', '--all', '--quiet', '--src-tls-verify=false', `docker://${host}/${ref}`, `oci:${join(dir, 'pulled')}:v1.14.3`]);
    const [through, source] = await Promise.all([skopeoDigest({ host }, ref), skopeoDigest(quay, `jetstack/${ref}`)]);
    if (through !== source) throw new DemoError(`through the gateway ${through}, at the source ${source}`);
    check(`skopeo through the gateway sees the source's digest ${source.slice(0, 19)}…`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  }
  const lines = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const pulls = lines.filter((e) => e.kind === 'pull' && !e.repeat);
  const checks = lines.filter((e) => e.kind === 'check');
  check(`${relative(ROOT, events)}: ${lines.length} events; ${pulls.length} pulls (${[...new Set(pulls.map((e) => `${e.image}:${e.tag}`))].join(', ')}), ${checks.length} version checks`);
  await regmirror(['report', 'stats', relative(ROOT, events), '-o', relative(ROOT, join(dir, 'stats.html')), '--host', 'img.demo.test'], { env });
  check(`${relative(ROOT, join(dir, 'stats.html'))}: the stats page (the live one is /-/stats)`);
}
