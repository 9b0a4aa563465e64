// Long runs: in CI (stderr not a terminal) a plain progress line every --progress-interval seconds
// with the total known from discovery, none with -q; on a terminal (tmux) one line redrawn in place.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import { destroyRegistry, startRegistry, type RunningRegistry } from '../../harness/registry.js';
import { seedImage } from '../../harness/seed.js';
import { repoRoot, runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

let reg: RunningRegistry;
let dir: string;
const TAGS = ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0', 'v1.4.0', 'v1.5.0'];

before(async () => {
  reg = await startRegistry({ tls: true });
  dir = await scratchDir('progress');
  await seedImage({ url: reg.url }, { repository: 'jetstack/ctl', tags: TAGS, format: 'oci', single: true });
});

after(async () => reg && destroyRegistry(reg));

// rateLimit stretches the run over seconds however fast the machine is, so lines are due.
const config = (ns: string) => writeConfig(join(dir, ns), `version: 1
defaults:
  targets: [${reg.host}/${ns}]
registries:
  ${reg.host}: { rateLimit: 10, caFile: ${reg.caFile} }
images:
  - source: ${reg.host}/jetstack/ctl
`);

test('not a terminal: a progress line with done/total and rate every interval; none with -q', { timeout: 180_000 }, async () => {
  const run = await runCli(['sync', '-c', await config('ci'), '--progress-interval', '0.5', '--format', 'json'], { env: { CI: 'true' } });
  assert.equal(run.exitCode, 0, run.stderr);
  const lines = run.stderr.split('\n').filter((l) => l.startsWith('synced '));
  assert.ok(lines.length >= 2, `progress lines: ${JSON.stringify(run.stderr)}`);
  const withTotal = lines.filter((l) => /^synced \d+\/6 \(image, tag\)/.test(l));
  assert.ok(withTotal.length >= 1, `a line with the total: ${JSON.stringify(lines)}`);
  assert.ok(lines.some((l) => / items\/s · ETA \d+s$/.test(l) || / items\/s$/.test(l)), `rate and ETA: ${JSON.stringify(lines)}`);

  const quiet = await runCli(['sync', '-c', await config('quiet'), '--progress-interval', '0.5', '-q'], { env: { CI: 'true' } });
  assert.equal(quiet.exitCode, 0, quiet.stderr);
  assert.equal(quiet.stderr, '');
});

test('--progress-interval takes seconds and refuses anything else', async () => {
  const run = await runCli(['verify', '-c', await config('bad'), '--progress-interval', 'soon']);
  assert.equal(run.exitCode, 2);
  assert.match(run.stderr, /--progress-interval "soon": expected seconds/);
});

test('on a terminal the progress line is redrawn in place, with the total', { timeout: 180_000 }, async () => {
  const cfg = await config('tty');
  const session = `regmirror-progress-${process.pid}`;
  const screen = async () => (await execa('tmux', ['capture-pane', '-p', '-t', session], { reject: false })).stdout;
  // A 150×30 terminal; CI unset inside, since CI=… means "not a person watching". The command waits
  // on a tmux channel until everything it writes is piped to a file, so no redraw goes unrecorded
  // however slowly the screen below is sampled on a loaded machine.
  const raw = join(dir, 'tty.raw');
  const command = `tmux wait-for ${session}; env -u CI ${process.execPath} ${join(repoRoot(), 'bin', 'regmirror.js')} sync -c ${cfg} --format json -o ${join(dir, 'tty.json')}; sleep 60`;
  await execa('tmux', ['new-session', '-d', '-s', session, '-x', '150', '-y', '30', command]);
  try {
    await execa('tmux', ['pipe-pane', '-o', '-t', session, `cat >> ${raw}`]);
    await execa('tmux', ['wait-for', '-S', session]);
    const seen: string[] = [];
    for (let i = 0; i < 600 && !existsSync(join(dir, 'tty.json')); i++) {
      seen.push(await screen());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const progressScreens = seen.filter((s) => /synced \d+\/6 \(image, tag\)/.test(s));
    assert.ok(progressScreens.length >= 1, `no progress with a total on the terminal:\n${seen.at(-1)}`);
    // In place: however many updates, the screen never holds more than one progress line.
    for (const s of progressScreens) assert.equal(s.split('\n').filter((l) => /synced \d+/.test(l)).length, 1, s);
    // Every redraw is in the recorded stream, whichever few the samples above happened to catch.
    const counts = new Set([...readFileSync(raw, 'utf8').matchAll(/synced (\d+)\/6/g)].map((m) => m[1]));
    assert.ok(counts.size >= 2, `the count moves: ${[...counts].join(', ')}`);
  } finally {
    await execa('tmux', ['kill-session', '-t', session], { reject: false });
  }
});
