// The harness itself: each auth mode starts, answers /v2/ as distribution does, and stops.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearerFor, destroyRegistry, startRegistry } from '../../harness/registry.js';

describe('registry harness', () => {
  it('plain registry answers 200 and restarts on the same port', async () => {
    const reg = await startRegistry({ tls: true });
    after(() => destroyRegistry(reg));
    assert.equal((await fetch(`${reg.url}/v2/`)).status, 200);
    await reg.stop();
    await assert.rejects(fetch(`${reg.url}/v2/`));
    await reg.start();
    assert.equal((await fetch(`${reg.url}/v2/`)).status, 200);
  });

  it('htpasswd registry wants basic auth', async () => {
    const reg = await startRegistry({ tls: true, auth: 'htpasswd' });
    after(() => destroyRegistry(reg));
    assert.equal((await fetch(`${reg.url}/v2/`)).status, 401);
    const basic = Buffer.from(`admin:${reg.users.admin}`).toString('base64');
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: { authorization: `Basic ${basic}` } })).status, 200);
  });

  it('token registry accepts a minted token', async () => {
    const reg = await startRegistry({ tls: true, auth: 'token' });
    after(() => destroyRegistry(reg));
    const res = await fetch(`${reg.url}/v2/`);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm=/);
    const token = await bearerFor(reg, 'repository:a/b:pull,push');
    const ok = await fetch(`${reg.url}/v2/a/b/tags/list`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 404); // authorized; the repository just does not exist yet
  });
});
