import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeScopes, parseChallenges, pickChallenge } from '../../../src/registry/http/challenge.js';

describe('parseChallenges', () => {
  it('reads a Bearer challenge with quoted realm, service and scope', () => {
    const [c] = parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"');
    assert.deepEqual(c, {
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' },
    });
  });

  it('keeps commas and escaped quotes inside quoted values', () => {
    const [c] = parseChallenges('Bearer realm="https://r/token", scope="repository:a:pull,push repository:b:pull", error="say \\"hi\\""');
    assert.equal(c!.params.scope, 'repository:a:pull,push repository:b:pull');
    assert.equal(c!.params.error, 'say "hi"');
  });

  it('splits several challenges and lower-cases scheme and parameter names', () => {
    const cs = parseChallenges('Basic realm="Registry Realm", BEARER Realm="https://t/token",Service=reg');
    assert.deepEqual(cs.map((c) => c.scheme), ['basic', 'bearer']);
    assert.equal(cs[0]!.params.realm, 'Registry Realm');
    assert.deepEqual(cs[1]!.params, { realm: 'https://t/token', service: 'reg' });
  });

  it('accepts header arrays, unquoted values and token68 schemes', () => {
    const cs = parseChallenges(['Negotiate abc123==', 'Basic realm=simple']);
    assert.deepEqual(cs.map((c) => c.scheme), ['negotiate', 'basic']);
    assert.equal(cs[1]!.params.realm, 'simple');
    assert.deepEqual(parseChallenges(undefined), []);
    assert.deepEqual(parseChallenges('Basic'), [{ scheme: 'basic', params: {} }]);
  });

  it('prefers Bearer over Basic and ignores unknown schemes', () => {
    assert.equal(pickChallenge(parseChallenges('Basic realm="x", Bearer realm="y"'))!.scheme, 'bearer');
    assert.equal(pickChallenge(parseChallenges('Negotiate abc')), undefined);
  });
});

describe('mergeScopes', () => {
  it('joins actions per resource and sorts', () => {
    assert.deepEqual(mergeScopes(['repository:b:pull,push'], ['repository:a:pull', 'repository:b:pull']), ['repository:a:pull', 'repository:b:pull,push']);
    assert.deepEqual(mergeScopes(['registry:catalog:*']), ['registry:catalog:*']);
  });
});
