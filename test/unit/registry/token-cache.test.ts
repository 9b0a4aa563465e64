import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TokenCache } from '../../../src/registry/http/token.js';
import { chunksOf } from '../../../src/registry/chunks.js';
import { Readable } from 'node:stream';

describe('TokenCache', () => {
  it('shares one fetch between concurrent asks and caches until shortly before expiry', async () => {
    let now = 0;
    let fetches = 0;
    const cache = new TokenCache(() => now);
    const fetch = async () => ({ token: `t${++fetches}`, expiresIn: 60 });
    const [a, b] = await Promise.all([cache.get(['repository:a:pull'], fetch), cache.get(['repository:a:pull'], fetch)]);
    assert.equal(a, 't1');
    assert.equal(b, 't1');
    now = 49_000;
    assert.equal(await cache.get(['repository:a:pull'], fetch), 't1');
    now = 50_001; // 60 s minus the 10 s margin
    assert.equal(await cache.get(['repository:a:pull'], fetch), 't2');
    assert.equal(await cache.get(['repository:a:pull'], fetch, true), 't3');
    assert.equal(await cache.get(['repository:b:pull'], fetch), 't4');
  });

  it('forgets a failed fetch', async () => {
    const cache = new TokenCache();
    await assert.rejects(cache.get(['s'], async () => Promise.reject(new Error('down'))));
    assert.equal(await cache.get(['s'], async () => ({ token: 'ok', expiresIn: 60 })), 'ok');
  });
});

describe('chunksOf', () => {
  it('re-slices buffers and streams into fixed chunks', async () => {
    const collect = async (src: Buffer | Readable) => {
      const out: number[] = [];
      for await (const c of chunksOf(src, 4)) out.push(c.byteLength);
      return out;
    };
    assert.deepEqual(await collect(Buffer.alloc(10)), [4, 4, 2]);
    assert.deepEqual(await collect(Readable.from([Buffer.alloc(3), Buffer.alloc(7), Buffer.alloc(2)])), [4, 4, 4]);
    assert.deepEqual(await collect(Buffer.alloc(0)), []);
  });
});
