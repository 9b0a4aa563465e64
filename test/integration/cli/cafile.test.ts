// A caFile is checked by `validate` (and before any request of every command): Node's TLS reads
// PEM only and drops an unreadable block with every block after it, so a bad file used to pass
// and then fail mid-run as "certificate not trusted" with the very CA meant to trust it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { runCli, writeConfig } from '../../harness/cli.js';
import { scratchDir } from '../../harness/scratch.js';
import { testCerts } from '../../harness/tls.js';

let dir: string;
let pem: string;

before(async () => {
  dir = await scratchDir('cafile');
  pem = await readFile((await testCerts()).caFile, 'utf8');
});

/** `validate` with `caFile: <name>` for one registry: the run. */
async function validateWith(name: string, contents: string | Buffer | 'directory') {
  const file = join(dir, name);
  if (contents === 'directory') await mkdir(file);
  else await writeFile(file, contents);
  const config = await writeConfig(join(dir, `cfg-${name}`), `version: 1
registries:
  registry.internal:5000:
    caFile: ${file}
defaults:
  targets: [registry.internal:5000/mirror]
images:
  - source: quay.io/jetstack/app
`);
  return { run: await runCli(['validate', '-c', config]), file };
}

/** Exit 2 with one line at the caFile's position saying `fragment`. */
function refused(run: { exitCode?: number; stderr: string }, fragment: RegExp): void {
  assert.equal(run.exitCode, 2, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, /mirrors\.yaml:4:13: registries\.registry\.internal:5000\.caFile: /);
  assert.match(lines[0]!, fragment);
}

test('a bundle with comments and several certificates is accepted', async () => {
  const { run } = await validateWith('bundle.pem', `# our CAs\r\n${pem}\n# again\n${pem}`);
  assert.equal(run.exitCode, 0, run.stderr);
});

test('text that is not a certificate, and an empty file: no PEM certificate', async () => {
  refused((await validateWith('junk.pem', 'not a cert\n')).run, /holds no PEM certificate/);
  refused((await validateWith('empty.pem', '')).run, /holds no PEM certificate/);
});

test('a DER certificate: says to convert it, with the command', async () => {
  // Bytes as they are: execa strips a final newline by default, and a DER certificate ends with a
  // 0x0a byte once in 256 (the test CA is made anew per process): the cut one read as no certificate.
  const der = (await execa('openssl', ['x509', '-outform', 'der'], { input: pem, encoding: 'buffer', stripFinalNewline: false })).stdout;
  refused((await validateWith('ca.der', Buffer.from(der))).run, /is a DER \(binary\) certificate, and only PEM is read: convert it with `openssl x509 -inform der/);
});

test('a damaged first block before a good one: names the block (Node would have dropped both)', async () => {
  const damaged = pem.replace(/(-----BEGIN CERTIFICATE-----\n)(.{20})/, '$1AAAAAAAAAAAAAAAAAAAA');
  refused((await validateWith('damaged.pem', damaged + pem)).run, /certificate 1 of 2 in .*damaged\.pem is not a readable X\.509 certificate/);
});

test('a directory: says to give one file', async () => {
  refused((await validateWith('certs.d', 'directory')).run, /is a directory: give one file of PEM certificates/);
});
