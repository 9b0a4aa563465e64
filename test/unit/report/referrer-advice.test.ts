// `verify --deep` at a target whose signature tag held another digest (verify4 hunt: ghcr.io,
// quay.io, ECR and nginx h2 targets; `sha256-….sig differs (target …, source …)`) advised "run
// `regmirror sync` to copy missing tags; a signature … whose parts are absent … needs `regmirror
// sync --deep`": a plain sync skipped it (0 copied), sync --deep called it a conflict, and verify
// said the same again. Only `sync --force` retargets it, and each lack now gets its own advice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextStep } from '../../../src/report/headline.js';
import { reportRows } from '../../../src/report/rows.js';
import { referrerDiffers, referrerPartsAbsent } from '../../../src/report/referrer-lacks.js';
import { D, verifyReport } from './fixture.js';

const SIG = `sha256-${'a'.repeat(64)}.sig`;
const advice = (detail: string) => {
  const r = verifyReport([{ source: 'quay.io/jetstack/app', tag: 'v1.3.0', sourceDigest: D('a'), targets: [{ repository: 'ghcr.io/cert-manager/app', status: 'missing-referrers', digest: D('a'), detail }] }]);
  return nextStep(r, reportRows(r));
};

test('a referrer tag at another digest is sent to sync --force, not to a sync that skips it', () => {
  const next = advice(referrerDiffers(SIG, D('b'), D('c')));
  assert.match(next, /^next: a signature, attestation, SBOM or referrer tag that holds another digest at the target \(`… differs`\) needs `regmirror sync --force`, which retargets it/);
  assert.doesNotMatch(next, /copy missing tags|sync --deep/);
});

test('absent parts of a referrer in place are sent to sync --deep only', () => {
  const next = advice(referrerPartsAbsent(SIG, [`blob ${D('d')}`, `blob ${D('e')}`]));
  assert.equal(next, 'next: a signature, attestation, SBOM or referrer whose parts are absent (verify --deep names them) needs `regmirror sync --deep`');
});

test('a missing referrer tag is sent to sync, and a row listing every kind gets each advice once', () => {
  assert.equal(advice(`missing ${SIG}`), 'next: run `regmirror sync` to copy missing tags');
  assert.equal(advice(`missing referrer ${D('f')}`), 'next: run `regmirror sync` to copy missing tags');
  const all = advice([`missing ${SIG}`, referrerDiffers(SIG, D('b'), D('c')), referrerPartsAbsent(`referrer ${D('f')}`, [`manifest ${D('9')}`])].join('; '));
  assert.match(all, /^next: run `regmirror sync` to copy missing tags; a signature, .* needs `regmirror sync --deep`; a signature, .* needs `regmirror sync --force`, which retargets it/);
});
