// Runs a command under GNU time: wall clock, user+system CPU of it and every child it waited
// for, and its maximum resident set size (the largest single process).
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRoot, track } from './cleanup.mjs';

let serial = 0;

/** Runs `cmd args` with stdout/stderr to files; resolves { code, wall, cpu, maxRssMB, stdout, stderr }. */
export async function timed(label, cmd, args, { env, cwd } = {}) {
  const base = join(tempRoot(), `run-${++serial}-${label.replace(/[^a-z0-9]+/gi, '-')}`);
  const timing = `${base}.time`;
  const out = openSync(`${base}.out`, 'w');
  const err = openSync(`${base}.err`, 'w');
  const started = process.hrtime.bigint();
  const child = track(spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timing, cmd, ...args], { stdio: ['ignore', out, err], env: { ...process.env, ...env }, cwd }));
  closeSync(out);
  closeSync(err);
  const code = await new Promise((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const last = readFileSync(timing, 'utf8').trim().split('\n').pop() ?? '';
  const [, user, sys, rssKB] = last.split(' ').map(Number);
  return {
    label, code, wall, cpu: user + sys, user, sys, maxRssMB: rssKB / 1024,
    stdout: readFileSync(`${base}.out`, 'utf8'), stderr: readFileSync(`${base}.err`, 'utf8'), files: base,
  };
}
