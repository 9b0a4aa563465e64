// A real HAProxy ending TLS in front of the target without telling it so (no X-Forwarded-Proto):
// distribution names its upload locations on plain http://, which HAProxy does not answer. The
// line says what HAProxy must set, in HAProxy's words; with Location rewritten to https:// by
// HAProxy instead (http-response replace-header Location), and option forwardfor, the copy passes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { startHaproxy, type RunningHaproxy } from '../../harness/haproxy.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { skopeoDigestVerified } from '../../harness/skopeo.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let hSrc: RunningHaproxy;
let untold: RunningHaproxy;
let rewriting: RunningHaproxy;
let images: SeededImage[];
let dir: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
  [hSrc, untold, rewriting] = await Promise.all([
    startHaproxy(src),
    startHaproxy(dst, { forwardedProto: false }),
    startHaproxy(dst, { forwardedProto: false, frontend: ['option forwardfor', 'http-response replace-header Location ^http://(.*)$ https://\\1'] }),
  ]);
  images = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0'], format: 'oci', single: true });
  dir = await scratchDir('haproxy-forwarded');
});

after(async () => {
  await Promise.all([hSrc?.close(), untold?.close(), rewriting?.close()]);
  await Promise.all([src && destroyRegistry(src), dst && destroyRegistry(dst)]);
});

test('HAProxy ending TLS without X-Forwarded-Proto: the line says what HAProxy must set; rewriting Location instead passes', async () => {
  const run = await runCli(['sync', '-c', await writeConfig(dir, oneMirrorYaml(hSrc, untold, 'jetstack/app'))]);
  const output = run.stderr + run.stdout;
  assert.equal(run.exitCode, 1, output);
  assert.match(output, new RegExp(`upload location ${untold.host} gave, on plain http:// although ${untold.host} is reached over https://: .*HAProxy: http-request set-header X-Forwarded-Proto https if \\{ ssl_fc \\}\\)`));
  const rewritten = await runCli(['sync', '-c', await writeConfig(dir, oneMirrorYaml(hSrc, rewriting, 'jetstack/app', 'rewritten'), 'rewritten.yaml')]);
  assert.equal(rewritten.exitCode, 0, rewritten.stderr + rewritten.stdout);
  for (const image of images) {
    assert.equal(await skopeoDigestVerified(`${rewriting.host}/rewritten/app:${image.tag}`, rewriting.certDir), image.digest, image.tag);
  }
});
