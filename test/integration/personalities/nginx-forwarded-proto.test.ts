// A real nginx ending TLS in front of a registry without passing X-Forwarded-Proto (a recipe with
// the line left out): the registry names its upload sessions on http://, nginx's own port, which
// answers plain HTTP with 400 "The plain HTTP request was sent to HTTPS port". Every push failed
// with the line for a registry configured as plain HTTP ('(a loopback host's default or `tls:
// disabled`): set `tls: verify` under registries: HOST'), where the entry already had its caFile
// and nothing there could change it (acceptance hunt, third-party layouts pushed through nginx).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { startNginx, type RunningNginx } from '../../harness/nginx.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { oneMirrorYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';

let src: RunningRegistry;
let dst: RunningRegistry;
let front: RunningNginx;
let dir: string;

before(async () => {
  [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
  front = await startNginx(dst, { forwardedProto: false });
  await seedImage({ url: src.url }, { repository: 'team/app', tags: ['v1.0.0'], format: 'oci', single: true });
  dir = await scratchDir('nginx-forwarded-proto');
});

after(async () => {
  await front?.close();
  await Promise.all([src && destroyRegistry(src), dst && destroyRegistry(dst)]);
});

test('upload locations on http:// from a front end that ends TLS: the line names the location and X-Forwarded-Proto, not tls: verify', async () => {
  const config = await writeConfig(dir, oneMirrorYaml(src, front, 'team/app'));
  const run = await runCli(['sync', '-c', config, '--no-progress']);
  const output = run.stderr + run.stdout;
  assert.notEqual(run.exitCode, 0, output);
  assert.match(output, new RegExp(`${front.host}: .*http://${front.host}/v2/mirror/app/blobs/uploads/.*that is the upload location ${front.host} gave, on plain http:// although ${front.host} is reached over https://: a proxy that ends TLS in front of ${front.host} must say so \\(nginx: proxy_set_header X-Forwarded-Proto \\$scheme`));
  assert.doesNotMatch(output, /set `tls: verify`/);
  assert.doesNotMatch(output, /\n\s+at /);
});
