// Two tags share a blob, and one of them describes it with the wrong size (containers/image's
// layout fixtures have such a tag): that tag fails alone, and the tag that describes the blob
// rightly is copied, not failed with the other's error (the run's blob ledger keys its work by
// digest and size). Over memory registries, no HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { runSync } from '../../../src/sync/run.js';
import { OCI_CONFIG, OCI_MANIFEST } from '../../../src/types/mediatype.js';
import { content } from '../content/fixtures.js';
import { memoryStores, oneImageWork, syncOptions as opts } from './work.js';

test('a blob one tag describes with the wrong size fails that tag only', async () => {
  const { opener } = memoryStores();
  const src = opener.open({ scheme: 'registry', registry: 'quay.test', repository: 'jetstack/app' }, 'push');
  const config = content(OCI_CONFIG, JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  await src.pushBlob(config.desc, Readable.from([config.bytes]));
  const manifest = (desc: typeof config.desc) => content(OCI_MANIFEST, JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: desc, layers: [] }));
  // "a-bad" sorts first, so its copy of the blob is under way when "b-good" asks for the same one.
  const bad = manifest({ ...config.desc, size: config.desc.size + 1 });
  const good = manifest(config.desc);
  for (const [m, tag] of [[bad, 'a-bad'], [good, 'b-good']] as const) {
    await src.pushManifest(m.desc, m.bytes);
    await src.tag(m.desc, m.bytes, tag);
  }
  const { report } = await runSync(oneImageWork(['ghcr.test']), opts(opener));
  const byTag = new Map(report.results.map((r) => [r.tag, r.targets[0]!]));
  assert.equal(byTag.get('b-good')?.action, 'copied', JSON.stringify(byTag.get('b-good')));
  assert.equal(byTag.get('a-bad')?.action, 'failed');
  assert.match(byTag.get('a-bad')?.detail ?? '', /expected \d+ bytes, got \d+/);
});
