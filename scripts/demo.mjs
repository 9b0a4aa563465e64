// `npm run demo`: regmirror end to end with no registry of the user's own. Starts two local
// registries, stages a small jetstack-like release, runs the real validate / plan / sync / verify
// against them, makes drift by hand and repairs it, then shows how to use a real mirrors.yaml.
// Every step's exit code is checked, so the demo also serves as a smoke test (exit 1 on surprise).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { GHCR_TOKEN_ENV, GHCR_USER_ENV, demoConfig, stagingConfig } from './demo/configs.mjs';
import { deleteSignature, retag } from './demo/drift.mjs';
import { expectDrift, expectSyncSummary, listTags, skopeoDigest } from './demo/checks.mjs';
import { CHART, CHART_TAGS, FLOATING, IMAGES, PLATFORMS, RELEASES, stageReleaseSet } from './demo/release-set.mjs';
import { startRegistry, tempDir } from './demo/registries.mjs';
import { demoCa } from './demo/tls.mjs';
import { DemoError, ROOT, regmirror } from './demo/run.mjs';
import { nextSteps } from './demo/next-steps.mjs';
import { gatewayStep } from './demo/gateway.mjs';
import { check, dim, fail, heading, note } from './demo/ui.mjs';

// REGMIRROR_DEMO_DIR: where the demo's files go (the test that runs the demo, test/integration/ci/demo.test.ts).
const DEMO_DIR = process.env.REGMIRROR_DEMO_DIR ? resolve(process.env.REGMIRROR_DEMO_DIR) : join(ROOT, '.demo');
const rel = (path) => relative(ROOT, path) || '.';
const started = Date.now();

async function main() {
  rmSync(DEMO_DIR, { recursive: true, force: true });
  mkdirSync(DEMO_DIR, { recursive: true });
  const files = {
    layouts: join(DEMO_DIR, 'release'),
    staging: join(DEMO_DIR, 'staging.yaml'),
    config: join(DEMO_DIR, 'mirrors.yaml'),
    syncReport: join(DEMO_DIR, 'sync.json'),
    resyncReport: join(DEMO_DIR, 'resync.json'),
    html: join(DEMO_DIR, 'report.html'),
    verifyJson: join(DEMO_DIR, 'verify.json'),
    markdown: join(DEMO_DIR, 'report.md'),
    stagingReport: join(DEMO_DIR, 'staging.json'),
  };

  heading('Two local registries');
  const password = randomBytes(18).toString('base64url');
  const tls = await demoCa(DEMO_DIR);
  const [quay, ghcr] = await Promise.all([
    startRegistry('quay', { logDir: DEMO_DIR }),
    startRegistry('ghcr', { user: 'demo', password, tls, logDir: DEMO_DIR }),
  ]);
  note(`"quay"  ${quay.url}    stands in for quay.io: holds jetstack/* and the target cert-manager/*
"ghcr"  ${ghcr.url}   stands in for ghcr.io: basic auth (user "demo", a random password), over HTTPS
        with a certificate from the demo's own CA (${rel(tls.caFile)}), which mirrors.yaml trusts with \`caFile\`
(docker-registry = CNCF distribution; data in a temp dir, removed when the demo ends)`);
  // regmirror reads credentials from the env names in mirrors.yaml; an empty Docker config keeps
  // the user's own credential helpers out of the demo.
  const env = { [GHCR_USER_ENV]: 'demo', [GHCR_TOKEN_ENV]: password, DOCKER_CONFIG: tempDir('regmirror-demo-docker-') };

  heading('A jetstack-like release, staged as OCI layouts on disk');
  const staged = stageReleaseSet(files.layouts);
  note(`${IMAGES.length} images × ${RELEASES.length} releases × ${PLATFORMS.length} platforms (${PLATFORMS.map((p) => p.architecture).join(', ')}), one shared base layer per platform,
floating tag ${Object.keys(FLOATING).join(', ')}, the Helm chart ${CHART}, and a cosign signature (sha256-HEX.sig) for each:
${staged.manifests} manifests in ${rel(files.layouts)}/<name> (oci-layout, index.json, blobs/sha256/…).
Releases: ${RELEASES.join(' ')}

regmirror publishes them to "quay" itself: an OCI layout is a valid source (the air-gap path),
so a staging config with sources oci:${rel(files.layouts)}/<name> and target ${quay.host}/jetstack does it.`);
  writeFileSync(files.staging, stagingConfig(files.layouts, quay));
  await regmirror(['sync', '-c', rel(files.staging), '-q', '--format', 'json', '-o', rel(files.stagingReport)], { env });
  const stagedTags = IMAGES.length * (RELEASES.length + Object.keys(FLOATING).length) + CHART_TAGS.length;
  expectSyncSummary(files.stagingReport, { copied: stagedTags, conflicts: 0, failed: 0 });
  const controllerTags = await listTags(quay, 'jetstack/cert-manager-controller');
  check(`"quay" now serves jetstack/cert-manager-controller with ${controllerTags.filter((t) => !t.startsWith('sha256-')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).join(' ')} (+ ${controllerTags.filter((t) => t.startsWith('sha256-')).length} signature tags)`);

  heading('The demo mirrors.yaml');
  writeFileSync(files.config, demoConfig(quay, ghcr));
  note(`${rel(files.config)}, the same shape as a real one (see the project's mirrors.yaml):\n`);
  process.stdout.write(`${readFileSync(files.config, 'utf8').replace(/^/gm, '    ').replace(/(#.*)$/gm, (c) => dim(c))}\n`);
  note(`${GHCR_USER_ENV} and ${GHCR_TOKEN_ENV} are set in regmirror's environment for every command below.`);
  const c = ['-c', rel(files.config)];

  heading('validate: parse and check the config (no network)');
  await regmirror(['validate', ...c], { env });

  heading('plan: what sync would do (reads the registries, writes nothing)');
  note('--tag narrows any command to some tags, as a release job does (here: the newest release).');
  await regmirror(['plan', ...c, '--tag', 'v1.14.3'], { env });

  heading('sync: copy every selected tag, signatures included, then check it');
  note('-q: the result only (without it, each copy is also logged as it happens).');
  await regmirror(['sync', ...c, '-q', '--report', rel(files.syncReport)], { env });
  // Selected: v1.14.0..v1.14.3 and the floating v1.14 of each image, both chart tags; on 2 targets.
  const releases = RELEASES.filter((r) => /^v1\.14\.\d+$/.test(r)).length;
  const copies = (IMAGES.length * (releases + Object.keys(FLOATING).length) + CHART_TAGS.length) * 2;
  expectSyncSummary(files.syncReport, { copied: copies, conflicts: 0, failed: 0 });
  check(`${rel(files.syncReport)}: ${copies} (tag, target) copies, no conflicts, no failures; same-registry copies mounted their blobs (BYTES -)`);

  heading('sync again: idempotent, nothing to copy');
  await regmirror(['sync', ...c, '--report', rel(files.resyncReport)], { env });
  expectSyncSummary(files.resyncReport, { copied: 0, conflicts: 0, failed: 0 });
  check('nothing copied the second time');

  heading('Drift, made by hand with raw HTTP');
  const retagged = await retag(ghcr, 'cert-manager/cert-manager-webhook', 'v1.14.2', 'v1.14.3');
  note(`"ghcr": cert-manager/cert-manager-webhook:v1.14.3 retagged to v1.14.2's image (${retagged.slice(0, 19)}…)
        with the demo credentials: PUT /v2/cert-manager/cert-manager-webhook/manifests/v1.14.3`);
  const sigTag = await deleteSignature(quay, 'cert-manager/cert-manager-controller', 'v1.14.1');
  note(`"quay": the signature of cert-manager/cert-manager-controller:v1.14.1 (${sigTag.slice(0, 19)}….sig) deleted:
        DELETE /v2/cert-manager/cert-manager-controller/manifests/<its digest>`);

  heading('verify: audit every tag on every target (exit 1: drift)');
  await regmirror(['verify', ...c], { env, expect: 1 });
  note('\nThe same audit as JSON (the SPEC\'s report shape, for scripts), HTML and Markdown:');
  await regmirror(['verify', ...c, '--format', 'json', '-o', rel(files.verifyJson)], { env, expect: 1 });
  expectDrift(files.verifyJson, [
    { repository: `${ghcr.host}/cert-manager/cert-manager-webhook`, tag: 'v1.14.3', status: 'mismatch' },
    { repository: `${quay.host}/cert-manager/cert-manager-controller`, tag: 'v1.14.1', status: 'missing-referrers' },
  ]);
  check(`${rel(files.verifyJson)}: exactly the two drifts made above, nothing else`);
  await regmirror(['verify', ...c, '--format', 'html', '-o', rel(files.html)], { env, expect: 1 });
  check(`${rel(files.html)}: one self-contained page, an image × tag × registry matrix`);
  await regmirror(['verify', ...c, '--format', 'markdown', '-o', rel(files.markdown)], { env, expect: 1 });
  const markdown = readFileSync(files.markdown, 'utf8');
  check(`${rel(files.markdown)}: for $GITHUB_STEP_SUMMARY; it begins:`);
  const summary = markdown.includes('<details>') ? markdown.slice(0, markdown.indexOf('<details>')) : markdown;
  process.stdout.write(`\n${summary.trimEnd().replace(/^/gm, '    ')}\n`);

  heading('sync: never overwrites a tag that points elsewhere (exit 1: conflict)');
  await regmirror(['sync', ...c], { env, expect: 1 });

  heading('sync --force: retarget it to the source digest');
  await regmirror(['sync', ...c, '--force'], { env });

  heading('verify: back in sync (exit 0)');
  await regmirror(['verify', ...c], { env });

  heading('Independent check: skopeo');
  const ref = 'cert-manager/cert-manager-webhook:v1.14.3';
  const [source, target] = await Promise.all([
    skopeoDigest(quay, 'jetstack/cert-manager-webhook:v1.14.3'),
    skopeoDigest(ghcr, ref),
  ]);
  note(`skopeo inspect docker://${quay.host}/jetstack/cert-manager-webhook:v1.14.3  → ${source}
skopeo inspect docker://${ghcr.host}/${ref}  → ${target}`);
  if (source !== target) throw new DemoError(`skopeo sees ${target} at "ghcr", ${source} at the source`);
  check('skopeo sees the same digest');

  await gatewayStep({ config: files.config, dir: DEMO_DIR, env, quay });

  heading('Your turn');
  note(nextSteps(Math.round((Date.now() - started) / 1000), DEMO_DIR, files));
}

try {
  await main();
} catch (err) {
  fail(err instanceof DemoError ? err.message : (err?.stack ?? String(err)));
  process.stderr.write(`registry logs: ${rel(join(DEMO_DIR, 'quay-registry.log'))}, ${rel(join(DEMO_DIR, 'ghcr-registry.log'))}\n`);
  process.exitCode = 1;
}
// Ends the registries now (the exit handler in registries.mjs does the cleanup).
process.exit();
