// registries.<host>.rateLimit in mirrors.yaml: requests per second, fractions allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load.js';
import { describeConfig } from '../../../src/config/describe.js';

test('rateLimit is read per host, fractions allowed, and described by validate', () => {
  const config = parseConfig('version: 1\nregistries:\n  quay.io: { rateLimit: 20 }\n  ghcr.io: { rateLimit: 0.5 }\n  docker.io: {}\n', 'm.yaml');
  assert.equal(config.registries.get('quay.io')?.rateLimit, 20);
  assert.equal(config.registries.get('ghcr.io')?.rateLimit, 0.5);
  assert.equal(config.registries.get('docker.io')?.rateLimit, undefined);
  assert.match(describeConfig(config), /quay\.io: .*at most 20 requests\/s/);
});
