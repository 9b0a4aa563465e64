// A target whose registry hangs behind its nginx (outage hunt: SIGSTOP, nginx keeps the
// connection and never answers) held the whole run, the healthy target included, until its tag
// list gave up: 5 attempts × 60 s. The healthy target now gets its tags at once; the hung one gets
// its own once its listing comes back, or the row it always had when it never does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage, type SeededImage } from '../../harness/seed.js';
import { startNginx, type RunningNginx } from '../../harness/nginx.js';
import { runCli, writeConfig } from '../../harness/cli.js';
import { registriesYaml } from '../../harness/tls-bed.js';
import { scratchDir } from '../../harness/scratch.js';
import { skopeoDigest } from '../../harness/skopeo.js';

let src: RunningRegistry;
let up: RunningRegistry;
let hung: RunningRegistry;
let patient: RunningNginx;
let brief: RunningNginx;
let images: SeededImage[];
/** One tiny image each, for the run whose listings outnumber its listing slots. */
const MANY = ['many-0', 'many-1', 'many-2', 'many-3'];
let many: SeededImage[];

before(async () => {
  [src, up, hung] = await Promise.all([startRegistry(), startRegistry(), startRegistry()]);
  // The recipe's nginx waits 900 s for the registry; `brief` answers 504 after 8 s, so a run that
  // never sees the hung one back takes seconds.
  [patient, brief] = await Promise.all([startNginx(hung), startNginx(hung, { location: { proxy_read_timeout: '8s' } })]);
  images = await seedImage({ url: src.url }, { repository: 'jetstack/app', tags: ['v1.0.0', 'latest'], format: 'oci', platforms: 2 });
  many = (await Promise.all(MANY.map((name) => seedImage({ url: src.url }, { repository: `jetstack/${name}`, tags: ['v1.0.0'], format: 'oci', platforms: 1 })))).flat();
});

after(async () => {
  hung?.hang(false);
  await Promise.all([patient?.close(), brief?.close()]);
  await Promise.all([src, up, hung].map((r) => r && destroyRegistry(r)));
});

// The hung target first: rows stay in config order whatever finished first.
async function config(name: string, nginx: RunningNginx, settings: Record<string, number> = {}): Promise<string> {
  return writeConfig(await scratchDir(name), `version: 1
defaults:
  targets: [${nginx.host}/${name}, ${up.host}/${name}]
${registriesYaml([[nginx, settings]])}images:
  - source: ${src.host}/jetstack/app
`);
}

const rowsOf = (stdout: string, host: string) => stdout.split('\n').filter((l) => l.includes(`${host}/`));

/** Polls until skopeo reads every image's digest at its ref (`repo`:tag or `refOf`); false if `run` ended first or the bound passed. */
async function landed(repo: string, run: { done: boolean }, boundMs: number, imgs = images, refOf = (img: SeededImage, _i: number) => `${repo}:${img.tag}`): Promise<boolean> {
  for (const started = Date.now(); !run.done && Date.now() - started < boundMs; await new Promise((r) => setTimeout(r, 500))) {
    const digests = await Promise.all(imgs.map((img, i) => skopeoDigest(refOf(img, i)).catch(() => undefined)));
    if (digests.every((d, i) => d === imgs[i]!.digest)) return true;
  }
  return false;
}

test('a target hung behind nginx does not hold the healthy one: its tags land while the hung one is silent, the hung one gets its own once it answers', { timeout: 240_000 }, async () => {
  const file = await config('early', patient);
  const nginx = patient;
  hung.hang(true);
  const run = { done: false };
  let sync;
  try {
    const running = runCli(['sync', '-c', file, '--no-progress']).finally(() => (run.done = true));
    // Before, nothing reached the healthy target until the hung one's listing failed (≥ 60 s per
    // attempt, 5 attempts): 45 s is a bound for a hang, not a timing; it takes seconds.
    const early = await landed(`${up.host}/early/app`, run, 45_000);
    assert.ok(early, 'the healthy target got its tags only once the hung target gave up');
    assert.equal(run.done, false, 'the run ended before the hung target answered');
    // The hung target was asked and has answered nothing yet.
    assert.deepEqual((await nginx.requests()).filter((r) => r.uri.includes('/early/')), []);
    hung.hang(false);
    sync = await running;
  } finally {
    hung.hang(false);
  }
  assert.equal(sync.exitCode, 0, sync.stderr + sync.stdout);
  for (const img of images) assert.equal(await skopeoDigest(`${nginx.host}/early/app:${img.tag}`), img.digest);
  for (const host of [nginx.host, up.host]) assert.equal(rowsOf(sync.stdout, host).filter((l) => / copied /.test(l)).length, 2, sync.stdout);
  // Config order: the hung target's row first in each tag.
  const order = sync.stdout.split('\n').filter((l) => l.includes('/early/app')).map((l) => (l.includes(nginx.host) ? 'hung' : 'up'));
  assert.deepEqual(order, ['hung', 'up', 'hung', 'up'], sync.stdout);
});

test('a target that never answers: the healthy one complete, the hung one failed with what its front end said, exit 1, as before', { timeout: 240_000 }, async () => {
  const file = await config('never', brief, { maxAttempts: 1 });
  const nginx = brief;
  hung.hang(true);
  let sync;
  try {
    sync = await runCli(['sync', '-c', file, '--no-progress']);
  } finally {
    hung.hang(false);
  }
  assert.equal(sync.exitCode, 1, sync.stderr + sync.stdout);
  for (const img of images) assert.equal(await skopeoDigest(`${up.host}/never/app:${img.tag}`), img.digest);
  assert.equal(rowsOf(sync.stdout, up.host).filter((l) => / copied /.test(l)).length, 2, sync.stdout);
  const hungRows = rowsOf(sync.stdout, nginx.host);
  assert.equal(hungRows.length, 2, sync.stdout);
  for (const row of hungRows) assert.match(row, /failed .*cannot list tags: GET https:\/\/[^ ]+\/v2\/never\/app\/tags\/list: 504 Gateway Timeout, an HTML page .*did not answer within the front end's timeout/);
});

test('more images than listing slots: the hung target holds only its own listings, the healthy one gets every image while it is silent', { timeout: 240_000 }, async () => {
  const file = await writeConfig(await scratchDir('many'), `version: 1
defaults:
  targets: [${patient.host}/many, ${up.host}/many]
${registriesYaml([patient])}images:
${MANY.map((name) => `  - source: ${src.host}/jetstack/${name}\n`).join('')}`);
  hung.hang(true);
  const run = { done: false };
  let sync;
  try {
    // --concurrency 1: two listings at once. Before, they were two for every registry together:
    // the hung target's first two took both, and the images after them were listed nowhere until
    // those gave up (a minute at least). 45 s is a bound for a hang, not a timing.
    const running = runCli(['sync', '-c', file, '--no-progress', '--concurrency', '1']).finally(() => (run.done = true));
    const early = await landed(`${up.host}/many`, run, 45_000, many, (img, i) => `${up.host}/many/${MANY[i]}:${img.tag}`);
    assert.ok(early, 'the healthy target got some images only once the hung target gave up');
    assert.equal(run.done, false, 'the run ended before the hung target answered');
    hung.hang(false);
    sync = await running;
  } finally {
    hung.hang(false);
  }
  assert.equal(sync.exitCode, 0, sync.stderr + sync.stdout);
  for (const [i, name] of MANY.entries()) assert.equal(await skopeoDigest(`${patient.host}/many/${name}:v1.0.0`), many[i]!.digest);
});
