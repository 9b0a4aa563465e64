// `--endpoint quay.io=::1:5000` (or `=[::1]:5000`, `=127.0.0.1:5000`: a URL typed without its
// scheme, as after curl or docker) was refused with the generic "expected HOST=URL" line, which
// leaves the user to guess what is wrong with it; and the flag let through what mirrors.yaml's
// `endpoint:` refuses (a trailing /v2, which then asked for /v2/v2/ and failed every row, exit 3;
// credentials in the URL). The flag's URL now gets the same checks as the config's, and a missing
// scheme is exit 2 naming the flag to write: http:// for loopback (plain HTTP by default, SPEC
// "mirrors.yaml"), https:// otherwise. No scheme is guessed for the user: http or https is theirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';

const cases: [string, RegExp][] = [
  ['quay.io=::1:5000', /--endpoint "quay\.io=::1:5000": no scheme; write quay\.io=http:\/\/\[::1\]:5000 \(https:\/\/ for TLS\)$/],
  ['quay.io=[::1]:5000', /no scheme; write quay\.io=http:\/\/\[::1\]:5000 /],
  ['quay.io=127.0.0.1:5000', /no scheme; write quay\.io=http:\/\/127\.0\.0\.1:5000 /],
  ['quay.io=localhost:5000', /no scheme; write quay\.io=http:\/\/localhost:5000 /],
  ['quay.io=mirror.internal:8443', /no scheme; write quay\.io=https:\/\/mirror\.internal:8443 \(http:\/\/ for plain HTTP\)$/],
  ['quay.io=http://::1:5000', /write an IPv6 address in brackets: "http:\/\/\[::1\]:5000"$/],
  ['quay.io=http://127.0.0.1:5000/v2/', /leave out the \/v2 \(regmirror adds it\); write quay\.io=http:\/\/127\.0\.0\.1:5000$/],
  ['quay.io=http://bob:hunter2@127.0.0.1:5000', /inline secrets are not allowed/],
];

test('--endpoint with a URL that cannot work is exit 2 before any request, naming what to write', async () => {
  const file = await writeConfig(await scratchDir('endpoint-flag'), `version: 1
defaults:
  targets: [ghcr.io/cert-manager]
images:
  - source: quay.io/jetstack/cert-manager-controller
`);
  for (const [flag, message] of cases) {
    const run = await runCli(['verify', '-c', file, '--endpoint', flag, '--no-progress']);
    assert.equal(run.exitCode, 2, `${flag}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr.trim(), message, flag);
    assert.doesNotMatch(run.stderr, /hunter2/);
    assert.equal(run.stdout, '', flag);
  }
});
