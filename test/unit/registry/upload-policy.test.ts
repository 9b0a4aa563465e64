// The per-registry upload policy: monolithic first, chunked on demand, chunk sizes that adapt to
// ghcr.io's 4 MiB body limit and ECR's 5 MiB part minimum, and a clear error when nothing is left.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UploadPolicy, refusesPatch, refusesWhole } from '../../../src/registry/upload-policy.js';
import { documentedBodyLimit } from '../../../src/registry/documented-limits.js';
import { RegistryResponseError, UploadRefusedError } from '../../../src/types/errors.js';

const MiB = 1024 * 1024;

describe('UploadPolicy', () => {
  it('knows ghcr.io\'s documented 4 MiB body limit from the start: larger blobs in 4 MiB chunks, smaller whole, said once', () => {
    assert.equal(documentedBodyLimit('ghcr.io'), 4 * MiB);
    assert.equal(documentedBodyLimit('GHCR.io:443'), 4 * MiB);
    assert.equal(documentedBodyLimit('quay.io'), undefined);
    assert.equal(documentedBodyLimit('ghcr.io.example.com'), undefined);
    assert.equal(documentedBodyLimit('ghcr.io:5000'), undefined);
    const p = new UploadPolicy('ghcr.io', 8 * MiB, false, documentedBodyLimit('ghcr.io'));
    assert.equal(p.modeFor(1024), 'monolithic');
    assert.equal(p.modeFor(4 * MiB), 'monolithic');
    assert.equal(p.modeFor(4 * MiB + 1), 'chunked');
    assert.equal(p.chunkBytes, 4 * MiB);
    assert.equal(p.documentedLine(), 'takes no request body over 4 MiB (documented: 416 over it): blobs over 4 MiB go in chunks of 4 MiB');
    assert.equal(p.documentedLine(), undefined, 'said once');
    assert.equal(new UploadPolicy('quay.io', 8 * MiB).documentedLine(), undefined);
    // A refusal over the limit (a mirror that refuses as documented) teaches nothing new.
    assert.equal(p.refusedWhole(416, 6 * MiB).change, 'none', 'already known');
  });

  it('drops a documented limit once the registry refuses PATCH: not the registry documented, so whole PUTs of any size', () => {
    const p = new UploadPolicy('ghcr.io', 8 * MiB, false, 4 * MiB);
    assert.match(p.refusedPatch(405, 12 * MiB).change, /refused a PATCH \(405\): monolithic uploads from now on/);
    assert.equal(p.modeFor(64 * MiB), 'monolithic');
    assert.throws(() => p.refusedWhole(416, 12 * MiB), UploadRefusedError, 'refusing both leaves nothing');
    // Refused whole for real first: the limit holds, and a PATCH refused for a blob over it leaves nothing.
    const q = new UploadPolicy('ghcr.io', 8 * MiB, false, 4 * MiB);
    q.refusedWhole(416, 6 * MiB);
    assert.throws(() => q.refusedPatch(405, 12 * MiB), UploadRefusedError);
  });

  it('starts monolithic and goes chunked once a whole PUT is refused, for the rest of the run', () => {
    const p = new UploadPolicy('ghcr.io', 8 * MiB);
    assert.equal(p.mode, 'monolithic');
    assert.notEqual(p.refusedWhole(416).change, 'none');
    assert.equal(p.mode, 'chunked');
    assert.equal(p.refusedWhole(416).change, 'none', 'a second refusal in flight changes nothing');
  });

  it('after ghcr.io refuses a 6 MiB blob whole, blobs up to 4 MiB still go in one PUT (mixed hunt: a PATCH more each)', () => {
    const p = new UploadPolicy('ghcr.io', 8 * MiB);
    p.tookWhole(2 * MiB);
    assert.match(p.refusedWhole(416, 6 * MiB).change, /chunked uploads of 8 MiB from now on for blobs over 4 MiB/);
    assert.equal(p.modeFor(1024), 'monolithic');
    assert.equal(p.modeFor(4 * MiB), 'monolithic');
    assert.equal(p.modeFor(4 * MiB + 1), 'chunked');
    assert.equal(p.mode, 'chunked', 'a blob of unknown size');
    assert.equal(p.refusedWhole(416, 8 * MiB).change, 'none');
  });

  it('a registry refusing small blobs whole too goes chunked for every blob after one more refusal', () => {
    const p = new UploadPolicy('h', 8 * MiB);
    p.refusedWhole(416, 6 * MiB);
    assert.equal(p.modeFor(1024), 'monolithic');
    assert.match(p.refusedWhole(416, 1024).change, /chunked uploads of 8 MiB from now on$/);
    assert.equal(p.modeFor(10), 'chunked');
    // Taken whole before a small refusal: up to that size, still whole.
    const q = new UploadPolicy('h', 8 * MiB);
    q.tookWhole(512 * 1024);
    q.refusedWhole(413, 2 * MiB);
    assert.equal(q.modeFor(512 * 1024), 'monolithic');
    assert.equal(q.modeFor(512 * 1024 + 1), 'chunked');
    assert.equal(q.chunkBytes, 1 * MiB);
  });

  it("takes a front end's 408 to a whole PUT (Apache RequestReadTimeout body=N, a slow source) as a 413: chunks of at most 4 MiB, blobs up to 4 MiB still whole", () => {
    const p = new UploadPolicy('h', 8 * MiB);
    p.tookWhole(1 * MiB);
    assert.ok(refusesWhole(new RegistryResponseError('PUT', 'https://h/x', 408, [], '408 Request Timeout')));
    assert.match(p.refusedWhole(408, 40 * MiB).change, /refused a monolithic upload \(408\): chunked uploads of 4 MiB from now on for blobs over 4 MiB$/);
    assert.equal(p.modeFor(4 * MiB), 'monolithic');
    assert.equal(p.modeFor(4 * MiB + 1), 'chunked');
  });

  it('shrinks a refused large chunk to at most 4 MiB (ghcr.io) and keeps it', () => {
    const p = new UploadPolicy('ghcr.io', 8 * MiB, true);
    p.refusedChunk(8 * MiB, 416, false);
    assert.equal(p.chunkBytes, 4 * MiB);
    assert.equal(p.refusedChunk(8 * MiB, 416, false).change, 'none', 'another upload already adapted');
    const big = new UploadPolicy('h', 32 * MiB, true);
    big.refusedChunk(32 * MiB, 413, false);
    assert.equal(big.chunkBytes, 4 * MiB);
  });

  it('grows a refused small chunk to at least 5 MiB (ECR), within OCI-Chunk-Max-Length', () => {
    const p = new UploadPolicy('ecr', 1 * MiB, true);
    p.refusedChunk(1 * MiB, 400, false);
    assert.equal(p.chunkBytes, 5 * MiB);
    const capped = new UploadPolicy('ecr', 1 * MiB, true);
    capped.learnLimits(undefined, String(3 * MiB));
    capped.refusedChunk(1 * MiB, 400, false);
    assert.equal(capped.chunkBytes, 3 * MiB);
  });

  it('never tries a refused size again: both directions refused is one clear error naming the host', () => {
    const p = new UploadPolicy('picky.example', 8 * MiB, true);
    p.refusedChunk(8 * MiB, 416, false);
    assert.throws(() => p.refusedChunk(4 * MiB, 416, false), (e: unknown) => e instanceof UploadRefusedError && /picky\.example/.test(e.message) && /4 MiB, 8 MiB/.test(e.message));
  });

  it('a refused short last chunk cannot be helped', () => {
    const p = new UploadPolicy('h', 8 * MiB, true);
    assert.throws(() => p.refusedChunk(3 * MiB, 416, true), UploadRefusedError);
  });

  it('a refused last chunk over 4 MiB shrinks to 4 MiB (ghcr.io, a 6 MiB layer in 8 MiB chunks)', () => {
    const p = new UploadPolicy('ghcr.io', 8 * MiB, true);
    assert.notEqual(p.refusedChunk(6 * MiB, 416, true).change, 'none');
    assert.equal(p.chunkBytes, 4 * MiB);
    assert.equal(p.refusedChunk(6 * MiB, 416, true).change, 'none', 'another upload already adapted');
  });

  it('a 413 (too large, whoever says it: a proxy\'s body limit) halves below the refused size, a short last chunk too', () => {
    const p = new UploadPolicy('behind-nginx', 8 * MiB);
    p.refusedWhole(413, 2_000_809);
    assert.equal(p.chunkBytes, 1 * MiB, 'a 2 MB whole PUT refused: chunks of 1 MiB');
    const q = new UploadPolicy('h', 8 * MiB, true);
    q.refusedChunk(300_286, 413, true);
    assert.equal(q.chunkBytes, 256 * 1024);
    assert.equal(q.refusedChunk(300_282, 413, true).change, 'none', 'already below what another upload had refused');
    q.refusedChunk(256 * 1024, 413, false);
    assert.equal(q.chunkBytes, 128 * 1024);
  });

  it('a 413 above a size refused as too small tries between the two (ECR behind a 6 MiB body limit)', () => {
    // Before: 4 MiB refused by ECR grew to 8 MiB, whose 413 halved back to the refused 4 MiB, and the
    // upload failed saying 4 MiB had been refused with 413; 5 or 6 MiB parts pass both.
    const p = new UploadPolicy('ecr-behind-proxy', 4 * MiB, true);
    p.refusedChunk(4 * MiB, 400, false);
    assert.equal(p.chunkBytes, 8 * MiB);
    p.refusedChunk(8 * MiB, 413, false);
    assert.equal(p.chunkBytes, 6 * MiB);
    p.refusedChunk(6 * MiB, 413, false);
    assert.equal(p.chunkBytes, 5 * MiB);
    // Nothing between fits: the gap halves down to 64 KiB steps (a few tries), then one clear error.
    let tries = 0;
    assert.throws(() => {
      for (; tries < 10; tries++) p.refusedChunk(p.chunkBytes, 413, false);
    }, (e: unknown) => e instanceof UploadRefusedError && /refused chunks of 4 MiB as too small and request bodies of 4160 KiB as too large \(413\)/.test(e.message));
    assert.ok(tries <= 5, `${tries} tries`);
  });

  it('a 413 below 64 KiB is one error pointing at a proxy\'s body limit', () => {
    const p = new UploadPolicy('tiny', 64 * 1024, true);
    assert.throws(() => p.refusedChunk(64 * 1024, 413, false), (e: unknown) => e instanceof UploadRefusedError && /refused request bodies of 64 KiB and more \(413\).*client_max_body_size/.test(e.message));
  });

  it('OCI-Chunk-Min-Length asks for chunks of at least that size; Max-Length caps them', () => {
    const p = new UploadPolicy('h', 1 * MiB);
    p.learnLimits(String(5 * MiB), undefined);
    assert.equal(p.mode, 'chunked');
    assert.equal(p.chunkBytes, 5 * MiB);
    const q = new UploadPolicy('h', 8 * MiB, true);
    q.learnLimits('junk', String(2 * MiB));
    assert.equal(q.chunkBytes, 2 * MiB);
    assert.throws(() => q.learnLimits(String(3 * MiB), undefined), UploadRefusedError);
  });

  it('a refused PATCH (GAR) goes back to monolithic; a registry refusing both is an error', () => {
    const p = new UploadPolicy('gar', 8 * MiB, true);
    p.refusedPatch(405);
    assert.equal(p.mode, 'monolithic');
    p.learnLimits(String(5 * MiB), undefined);
    assert.equal(p.mode, 'monolithic', 'a registry that refused PATCH is not asked for chunks again');
    assert.throws(() => p.refusedWhole(416), (e: unknown) => e instanceof UploadRefusedError && /gar refused/.test(e.message));
  });

  it('GAR behind a body limit: after a PUT refused for its size and a refused PATCH, smaller blobs go whole', () => {
    const p = new UploadPolicy('gar', 8 * MiB);
    p.refusedWhole(413, 2 * MiB);
    // A 300 KiB blob sent as a chunk (over the largest taken whole) is refused as PATCH: it goes whole.
    p.refusedPatch(405, 300 * 1024);
    assert.equal(p.modeFor(300 * 1024), 'monolithic');
    assert.throws(() => p.refusedPatch(405, 2 * MiB), (e: unknown) => e instanceof UploadRefusedError && /refused a monolithic PUT of 2 MiB/.test(e.message));
  });

  it('tells a size refusal from a method refusal', () => {
    const err = (status: number, code = 'UNKNOWN') => new RegistryResponseError('PUT', 'http://h/v2/a/blobs/uploads/x', status, [{ code }]);
    assert.equal(refusesWhole(err(416)), true);
    assert.equal(refusesWhole(err(400, 'BLOB_UPLOAD_INVALID')), true);
    assert.equal(refusesWhole(err(400, 'DIGEST_INVALID')), false);
    assert.equal(refusesPatch(err(405)), true);
    assert.equal(refusesPatch(err(400, 'UNSUPPORTED')), true);
    assert.equal(refusesPatch(err(416)), false);
  });
});
