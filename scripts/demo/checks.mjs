// What the demo checks besides exit codes: report contents, tag lists, and skopeo's view.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { fetch } from 'undici';
import { tempDir } from './registries.mjs';
import { DemoError } from './run.mjs';

/** Tags of `repo` as the registry lists them. */
export async function listTags(registry, repo) {
  const res = await fetch(`${registry.url}/v2/${repo}/tags/list?n=1000`, { dispatcher: registry.dispatcher, headers: authHeaders(registry) });
  if (res.status !== 200) throw new DemoError(`GET ${registry.name} ${repo} tags: HTTP ${res.status}`);
  return (await res.json()).tags ?? [];
}

function authHeaders(registry) {
  return registry.user ? { authorization: `Basic ${Buffer.from(`${registry.user}:${registry.password}`).toString('base64')}` } : {};
}

/** Fails unless the sync report's summary has these values. */
export function expectSyncSummary(file, expected) {
  const { summary } = JSON.parse(readFileSync(file, 'utf8'));
  for (const [key, value] of Object.entries(expected)) {
    if (summary[key] !== value) throw new DemoError(`${file}: summary.${key} is ${summary[key]}, expected ${value} (summary: ${JSON.stringify(summary)})`);
  }
}

/** Fails unless the verify report's drift is exactly `expected` ({ repository, tag, status } each). */
export function expectDrift(file, expected) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const found = report.results.flatMap((r) => r.targets.filter((t) => t.status !== 'in-sync').map((t) => `${t.repository}:${r.tag} ${t.status}`)).sort();
  const wanted = expected.map((d) => `${d.repository}:${d.tag} ${d.status}`).sort();
  if (JSON.stringify(found) !== JSON.stringify(wanted)) {
    throw new DemoError(`${file}: drift is [${found.join('; ')}], expected [${wanted.join('; ')}]`);
  }
}

/** The digest `skopeo inspect` reports for `repo:tag` (credentials through a temp auth file, never argv). */
export async function skopeoDigest(registry, reference) {
  const authFile = join(tempDir('regmirror-demo-auth-'), 'auth.json');
  const auths = registry.user ? { [registry.host]: { auth: Buffer.from(`${registry.user}:${registry.password}`).toString('base64') } } : {};
  writeFileSync(authFile, JSON.stringify({ auths }), { mode: 0o600 });
  const { stdout } = await execa('skopeo', [
    // HTTPS trusted through the demo CA's cert dir, as regmirror trusts it through caFile; plain HTTP otherwise.
    'inspect', ...(registry.certDir ? ['--cert-dir', registry.certDir] : ['--tls-verify=false']), '--authfile', authFile, '--override-os', 'linux', '--override-arch', 'amd64',
    '--format', '{{.Digest}}', `docker://${registry.host}/${reference}`,
  ]);
  return stdout.trim();
}
