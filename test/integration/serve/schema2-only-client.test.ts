// A client whose Accept names Docker schema 2 and no list or OCI type (docker before manifest
// lists, some scanners) was answered the index or list as stored (gateway4 hunt): it cannot read
// either. distribution 2.8 (registry/handlers/manifests.go, tried with curl on docker-registry
// 2.8.2) answers such a client, for a Docker manifest list asked for by tag, the list's linux/amd64
// image manifest (by digest: the list itself, its digest being the one asked for); and for an OCI
// index or manifest a client does not name, 404 MANIFEST_UNKNOWN "OCI index found, but accept
// header does not support OCI indexes". The gateway now does the same, after the recorded-digest
// check of the tag; a request naming no manifest type (curl) is served as stored, as before.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorld, type World } from './fixture.js';
import { startGateway, until, type GatewayProcess } from './gateway-process.js';
import { digestOf } from '../../harness/seed.js';
import { skopeoDigest } from '../../harness/skopeo.js';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX } from '../../../src/types/mediatype.js';

const SCHEMA2 = DOCKER_MANIFEST;
const LIST = DOCKER_MANIFEST_LIST;

let docker: World;
let oci: World;
let gwDocker: GatewayProcess;
let gwOci: GatewayProcess;

before(async () => {
  [docker, oci] = await Promise.all([
    startWorld({ tags: ['v1.14.0'], platforms: 2, format: 'docker' }),
    startWorld({ tags: ['v1.14.0'], platforms: 2 }),
  ]);
  [gwDocker, gwOci] = await Promise.all([
    startGateway(await docker.config('  healthInterval: 60'), ['--tag-ttl', '0']),
    startGateway(await oci.config('  healthInterval: 60'), ['--tag-ttl', '0']),
  ]);
});

after(async () => {
  assert.equal(await gwDocker?.stop(), 0);
  assert.equal(await gwOci?.stop(), 0);
  await Promise.all([docker?.close(), oci?.close()]);
});

async function ask(gw: GatewayProcess, ref: string, accept: string | undefined, method = 'GET') {
  const res = await fetch(`${gw.url}/v2/app/manifests/${ref}`, { method, headers: accept ? { accept } : {} });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), digest: res.headers.get('docker-content-digest'), body };
}

test('a Docker manifest list by tag, to a client that names schema 2 only: its linux/amd64 manifest, counted as a pull', { timeout: 240_000 }, async () => {
  const img = docker.images.get('v1.14.0')!;
  const amd64 = img.childDigests[0]!; // the seed's first platform is linux/amd64
  const got = await ask(gwDocker, 'v1.14.0', SCHEMA2);
  assert.equal(got.status, 200);
  assert.equal(got.type, SCHEMA2);
  assert.equal(got.digest, amd64, 'the platform manifest, as distribution answers');
  assert.equal(digestOf(got.body), amd64, 'its bytes are that digest');
  assert.equal(await skopeoDigest(`${gwDocker.host}/app@${amd64}`), amd64, 'skopeo reads the same manifest by digest');
  const head = await ask(gwDocker, 'v1.14.0', SCHEMA2, 'HEAD');
  assert.deepEqual([head.status, head.type, head.digest], [200, SCHEMA2, amd64]);
  await until(() => gwDocker.events.filter((e) => e.tag === 'v1.14.0').length >= 2, 'the events');
  const [get, check] = gwDocker.events.filter((e) => e.tag === 'v1.14.0');
  assert.deepEqual([get!.kind, get!.digest, get!.mediaType, get!.status], ['pull', amd64, SCHEMA2, 200], 'a GET of a platform manifest is a pull of the tag');
  assert.deepEqual([check!.kind, check!.digest, check!.method], ['check', amd64, 'HEAD']);
  // By digest the list is what was asked for; with the list named, the list.
  assert.equal((await ask(gwDocker, img.digest, SCHEMA2)).digest, img.digest);
  const list = await ask(gwDocker, 'v1.14.0', `${SCHEMA2}, ${LIST}`);
  assert.deepEqual([list.status, list.type, list.digest], [200, LIST, img.digest]);
  assert.equal((await ask(gwDocker, 'v1.14.0', undefined)).digest, img.digest, 'no Accept: as stored');
});

test('an OCI index or manifest, to a client that names schema 2 only: 404 MANIFEST_UNKNOWN, as distribution', { timeout: 120_000 }, async () => {
  const img = oci.images.get('v1.14.0')!;
  const byTag = await ask(gwOci, 'v1.14.0', SCHEMA2);
  assert.equal(byTag.status, 404);
  assert.match(byTag.body.toString('utf8'), /MANIFEST_UNKNOWN.*OCI index found, but accept header does not support OCI indexes/);
  assert.equal((await ask(gwOci, 'v1.14.0', SCHEMA2, 'HEAD')).status, 404);
  const child = await ask(gwOci, img.childDigests[0]!, `${SCHEMA2}, ${LIST}`);
  assert.equal(child.status, 404);
  assert.match(child.body.toString('utf8'), /OCI manifest found, but accept header does not support OCI manifests/);
  // Named, or no Accept at all: as stored.
  assert.equal((await ask(gwOci, 'v1.14.0', `${SCHEMA2}, ${OCI_INDEX}`)).digest, img.digest);
  assert.equal((await ask(gwOci, 'v1.14.0', undefined)).digest, img.digest);
  await until(() => gwOci.events.some((e) => e.status === 404), 'the event');
  const refused = gwOci.events.find((e) => e.status === 404)!;
  assert.deepEqual([refused.kind, refused.tag, refused.digest], ['check', 'v1.14.0', img.digest], 'the refusal names what the tag holds');
});
