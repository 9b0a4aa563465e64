// examples/ and action.yml: every file parses as YAML, every use of the action names only inputs
// it has and reads only outputs it sets, and the Kubernetes example is an Indexed Job on --shard auto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../harness/cli.js';

interface Step { id?: string; uses?: string; with?: Record<string, unknown>; run?: string; env?: Record<string, string> }
interface Workflow { on: unknown; jobs: Record<string, { steps: Step[] }> }
interface Action { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: { using: string; steps: Step[] } }

const read = (...parts: string[]) => parse(readFileSync(join(repoRoot(), ...parts), 'utf8')) as unknown;
const action = read('action.yml') as Action;
const workflows = readdirSync(join(repoRoot(), 'examples', 'github')).map((f) => ({ file: f, doc: read('examples', 'github', f) as Workflow }));
const ours = (s: Step) => /(^|\/)regmirror@/.test(s.uses ?? '');

test('action.yml: a composite action with the inputs and outputs the issue names, each input passed as INPUT_<NAME>', () => {
  assert.equal(action.runs.using, 'composite');
  assert.deepEqual(Object.keys(action.inputs).sort(), ['args', 'command', 'config', 'version']);
  for (const name of ['exit-code', 'report', 'drift']) assert.ok(name in action.outputs, name);
  const run = action.runs.steps.find((s) => s.run?.includes('action/run.mjs'));
  assert.ok(run, 'a step runs action/run.mjs');
  for (const name of Object.keys(action.inputs)) assert.equal(run.env?.[`INPUT_${name.toUpperCase()}`], `\${{ inputs.${name} }}`);
});

test('the GitHub examples parse, use only the action\'s inputs, and read only its outputs', () => {
  assert.deepEqual(workflows.map((w) => w.file).sort(), ['backfill-matrix.yml', 'nightly-audit.yml', 'release-sync.yml']);
  for (const { file, doc } of workflows) {
    const steps = Object.values(doc.jobs).flatMap((j) => j.steps);
    assert.ok(steps.some(ours), `${file} uses the action`);
    const ids = new Set(steps.filter(ours).map((s) => s.id).filter(Boolean));
    for (const s of steps.filter(ours)) for (const key of Object.keys(s.with ?? {})) assert.ok(key in action.inputs, `${file}: unknown input ${key}`);
    const text = readFileSync(join(repoRoot(), 'examples', 'github', file), 'utf8');
    for (const m of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      assert.ok(ids.has(m[1]!), `${file}: step ${m[1]} is not the action`);
      assert.ok(m[2]! in action.outputs, `${file}: unknown output ${m[2]}`);
    }
  }
  const on = (f: string) => workflows.find((w) => w.file === f)!.doc.on as Record<string, unknown>;
  assert.ok('release' in on('release-sync.yml'));
  assert.ok('schedule' in on('nightly-audit.yml'));
});

test('the matrix backfill shards K/N over its matrix and merges every shard report', () => {
  const doc = workflows.find((w) => w.file === 'backfill-matrix.yml')!.doc as unknown as { jobs: Record<string, { strategy?: { matrix: { shard: number[] } }; steps: Step[] }> };
  const shards = doc.jobs.shard!.strategy!.matrix.shard;
  const sync = doc.jobs.shard!.steps.find(ours)!;
  assert.match(String(sync.with?.args), new RegExp(`--shard \\$\\{\\{ matrix\\.shard \\}\\}/${shards.length} `));
  const merge = doc.jobs.merge!.steps.filter(ours).map((s) => String(s.with?.args)).find((a) => a.startsWith('merge '));
  assert.deepEqual(merge?.match(/shard-\d+\.json/g), shards.map((k) => `shard-${k}.json`));
});

test('the Kubernetes example is an Indexed Job on --shard auto with JOB_COMPLETIONS = completions', () => {
  const job = read('examples', 'kubernetes', 'backfill-indexed-job.yaml') as { kind: string; spec: { completionMode: string; completions: number; template: { spec: { containers: { args: string[]; env: { name: string; value?: string }[] }[] } } } };
  assert.equal(job.kind, 'Job');
  assert.equal(job.spec.completionMode, 'Indexed');
  const container = job.spec.template.spec.containers[0]!;
  assert.deepEqual(container.args.slice(container.args.indexOf('--shard'), container.args.indexOf('--shard') + 2), ['--shard', 'auto']);
  assert.equal(container.env.find((e) => e.name === 'JOB_COMPLETIONS')?.value, String(job.spec.completions));
  assert.ok(container.env.some((e) => e.name === 'JOB_COMPLETION_INDEX'));
});

test('the Dockerfile installs with the package test\'s script, runs as non-root, and enters at regmirror', () => {
  const text = readFileSync(join(repoRoot(), 'Dockerfile'), 'utf8');
  assert.match(text, /scripts\/pack\.sh/);
  assert.match(text, /install-package\.sh \/usr\/local /);
  assert.match(text, /^USER node$/m);
  assert.match(text, /^ENTRYPOINT \["regmirror"\]$/m);
  assert.match(text, /skopeo/);
});
