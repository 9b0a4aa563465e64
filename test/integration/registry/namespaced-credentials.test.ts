// Two robot accounts on one registry, as quay.io has them: one of the jetstack organisation reads
// the source, one of cert-manager pushes the mirror, each logged in by namespace in auth.json
// (`podman login HOST/jetstack`, `podman login HOST/cert-manager`, which skopeo reads that way).
// Read as one login for the whole host, the first robot's went everywhere and the push was refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { scratchDir } from '../../harness/scratch.js';
import { adminPush, skopeoCreds } from '../reliability/helpers.js';

const USERS = { admin: 's3cret-admin', jetbot: 'jet-robot-pass-1', cmbot: 'cm-robot-pass-2' };
let reg: RunningRegistry;
let dir: string;
let images: SeededImage[];

before(async () => {
  reg = await startRegistry({ auth: 'token', tls: true, users: USERS, namespacesOf: { jetbot: ['jetstack'], cmbot: ['cert-manager'] } });
  dir = await scratchDir('namespaced-credentials');
  images = await seedImage(adminPush(reg), { repository: 'jetstack/app', tags: ['v1.0.0', 'v1.1.0'], format: 'oci', platforms: 2, layerBytes: 4096 });
});

after(async () => {
  if (reg) await destroyRegistry(reg);
});

const login = (user: keyof typeof USERS) => ({ auth: Buffer.from(`${user}:${USERS[user]}`).toString('base64') });

async function authFile(name: string, auths: Record<string, { auth: string }>): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify({ auths }));
  return path;
}

function mirrorsYaml(namespace: string): string {
  return `version: 1\ndefaults:\n  targets: [${reg.host}/${namespace}]\n${registriesYaml([reg])}images:\n  - source: ${reg.host}/jetstack/app\n`;
}

describe('credentials per namespace (containers-auth.json keys HOST/NAMESPACE)', () => {
  for (const engine of ['native', 'skopeo'] as const) {
    it(`reads with the source namespace's robot and pushes with the target's (engine ${engine})`, { timeout: 120_000 }, async () => {
      // The target namespace's key comes first: the order that sent every request out with it.
      const auth = await authFile(`auth-${engine}.json`, { [`${reg.host}/cert-manager`]: login('cmbot'), [`${reg.host}/jetstack`]: login('jetbot') });
      const file = await writeConfig(dir, mirrorsYaml(`cert-manager/${engine}`), `mirrors-${engine}.yaml`);
      const env = { REGISTRY_AUTH_FILE: auth };
      const run = await runCli(['sync', '-c', file, '--engine', engine, '--no-progress'], { env });
      assert.equal(run.exitCode, 0, run.stderr);
      for (const image of images) {
        assert.equal(await skopeoDigest(`${reg.host}/cert-manager/${engine}/app:${image.tag}`, skopeoCreds(reg)), image.digest, image.tag);
      }
      const verify = await runCli(['verify', '-c', file, '--no-progress'], { env });
      assert.equal(verify.exitCode, 0, verify.stdout + verify.stderr);
      assert.doesNotMatch(run.stderr + verify.stderr, /robot-pass/);
    });
  }

  it('a namespace\'s login is no login for the rest of the host', { timeout: 60_000 }, async () => {
    const auth = await authFile('auth-cm-only.json', { [`${reg.host}/cert-manager`]: login('cmbot') });
    const file = await writeConfig(dir, mirrorsYaml('cert-manager/only'), 'mirrors-only.yaml');
    const run = await runCli(['sync', '-c', file, '--no-progress'], { env: { REGISTRY_AUTH_FILE: auth } });
    assert.notEqual(run.exitCode, 0, run.stderr);
    // Read anonymously, and said so: not "the credentials used … from auth-cm-only.json".
    assert.match(run.stderr, new RegExp(`${reg.host}/jetstack/app`));
    assert.doesNotMatch(run.stderr, /auth-cm-only\.json/);
    assert.match(run.stderr, /give credentials/);
  });
});
