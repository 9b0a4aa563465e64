// A signature referrer whose `subject` descriptor lacks its size (distribution 2.8 takes such a
// manifest: personalities4 pushed one by mistake, as a tool with a bug would): sync's rows must
// name the manifest and the flaw, with signatures configured (the gate reads it) and without
// (the referrer is copied with its tag). Before, the gate's row said only 'manifest has a
// malformed descriptor', naming neither.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { seedImage } from '../../harness/seed.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { makeKey, pushSignature, signPayload, simpleSigningPayload } from '../../harness/cosign.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let dir: string;
let referrer: string;
const key = makeKey('p256');

before(async () => {
  [src, dst] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true })]);
  dir = await scratchDir('malformed-referrer');
  await writeFile(join(dir, 'cosign.pub'), key.publicPem);
  const [img] = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true });
  const payload = simpleSigningPayload(img!.digest, `${src.host}/jetstack/app`);
  // The subject without its size: listed in the sha256-HEX fallback index like any referrer.
  const subject = { digest: img!.digest, mediaType: img!.mediaType } as { digest: string; mediaType: string; size: number };
  referrer = await pushSignature({ url: src.url }, 'jetstack/app', subject, payload, signPayload(payload, key), 'referrer');
});

after(() => Promise.all([src, dst].map((r) => r && destroyRegistry(r))));

const config = (namespace: string, signatures: boolean) => `version: 1
defaults:
  targets: [${dst.host}/${namespace}]
${signatures ? `  signatures:\n    keys: [${join(dir, 'cosign.pub')}]\n` : ''}${registriesYaml([src, dst])}images:
  - source: ${src.host}/jetstack/app
`;

const FLAW = 'manifest has a malformed descriptor: its subject has no "size" (a number)';

test('with signatures: the row names the referrer and what is wrong with it', async () => {
  const run = await runCli(['sync', '-c', await writeConfig(join(dir, 'signed'), config('signed', true)), '--no-progress']);
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  assert.ok(run.stderr.includes(`failed — source: cannot read the signatures of sha256:`), run.stderr);
  assert.ok(run.stderr.includes(`: referrer ${referrer}: ${FLAW}`), run.stderr);
});

test('without signatures: the referrer row says what is wrong with it', async () => {
  const run = await runCli(['sync', '-c', await writeConfig(join(dir, 'plain'), config('plain', false)), '--no-progress']);
  assert.equal(run.exitCode, 1, run.stderr + run.stdout);
  assert.ok(run.stderr.includes(`: source ${src.host}/jetstack/app: ${referrer}: ${FLAW}`), run.stderr);
});
