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
import { reservePort } from '../../harness/ports.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';

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

// `--endpoint quay.io=http://…` (the README's redirect to a local registry) with a caFile or
// `tls: insecure` for quay.io in mirrors.yaml: the flag wins and speaks plain HTTP, and the TLS
// setting was dropped without a word (mirrors.yaml refuses the two together in one place).
test('an http:// --endpoint for a host whose caFile or tls: insecure it leaves unused says so once', async () => {
  const dir = await scratchDir('endpoint-flag-tls');
  const { caFile } = await testCerts();
  const port = await reservePort();
  for (const [setting, written] of [[`caFile: ${caFile}`, 'caFile'], ['tls: insecure', 'tls: insecure']] as const) {
    const file = await writeConfig(dir, `version: 1
registries:
  quay.io:
    ${setting}
defaults:
  targets: [quay.io/cert-manager]
images:
  - source: quay.io/jetstack/cert-manager-controller
`);
    const run = await runCli(['verify', '-c', file, '--endpoint', `quay.io=http://127.0.0.1:${port}`, '--no-progress']);
    const said = run.stderr.split('\n').filter((l) => l.includes('--endpoint'));
    assert.deepEqual(said, [`warning: quay.io: --endpoint http://127.0.0.1:${port} speaks plain HTTP, so its \`${written}\` (${file}:3:3) is not used; give an https:// URL to use it`], run.stderr);
  }
  const plain = await runCli(['verify', '-c', await writeConfig(dir, 'version: 1\ndefaults:\n  targets: [quay.io/cert-manager]\nimages:\n  - source: quay.io/jetstack/a\n'), '--endpoint', `quay.io=http://127.0.0.1:${port}`, '--no-progress']);
  assert.doesNotMatch(plain.stderr, /is not used/);
});
