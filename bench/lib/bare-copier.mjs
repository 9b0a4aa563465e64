// The yardstick: a plain parallel copier written straight on undici, with no checks at all. It
// lists the source tags, GETs each manifest, copies every blob once per target repository (a
// mount within a registry, else GET + POST + monolithic PUT), PUTs child manifests after their
// blobs and each tag's manifest after its children (the order distribution itself enforces), and
// nothing else: no digest verification, no look at what the targets hold, no conflict check, no
// post-copy proof, no retries. Same useful work as regmirror (the same bytes reach the same
// targets), with the same number of connections per registry (3 × concurrency, regmirror's pool
// size) and every request issued as soon as what it needs is done.
//
//   node bench/lib/bare-copier.mjs SOURCE_URL SOURCE_NS REPO[,REPO…] TARGET_URL/NS [TARGET_URL/NS…]
// env BARE_CONCURRENCY (default 8). A target on the source's URL is the same registry (mounts).
// env BARE_PIPELINING: requests per connection (default 1, the yardstick); above 1 every request
// goes out pipelined (idempotent, non-blocking), blobs too: what pipelining alone gives a copier
// without checks, beside regmirror's (bench/README.md, thirty-eighth round).
// env BARE_EXTRA_CPU_US: CPU spent (busy, on the event loop) before each request and after each
// answer: how much a copier's own CPU per request costs in wall time at a given latency (bench/README.md,
// "Speed at a distance"). 0 by default.
import { Pool } from 'undici';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const INDEXES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

const [srcUrl, srcNs, repoList, ...targetArgs] = process.argv.slice(2);
const connections = 3 * Number(process.env.BARE_CONCURRENCY ?? 8);
const pools = new Map();
const pipelining = Number(process.env.BARE_PIPELINING ?? 1);
const pipelined = pipelining > 1 ? { idempotent: true, blocking: false } : {};
const pool = (url) => pools.get(url) ?? pools.set(url, new Pool(url, { connections, pipelining })).get(url);
const targets = targetArgs.map((t) => {
  const u = new URL(t);
  return { url: u.origin, ns: u.pathname.replace(/^\/+|\/+$/g, '') };
});

const extraCpuMs = Number(process.env.BARE_EXTRA_CPU_US ?? 0) / 1000;
function spendCpu() {
  for (const until = performance.now() + extraCpuMs; performance.now() < until; );
}

/** One request; the whole response body as a Buffer, or an error naming what failed. */
async function call(url, method, path, { headers = {}, body, expect = [200] } = {}) {
  if (extraCpuMs > 0) spendCpu();
  const res = await pool(url).request({ method, path, headers, body, ...pipelined });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  if (extraCpuMs > 0) spendCpu();
  if (!expect.includes(res.statusCode)) throw new Error(`${method} ${url}${path}: ${res.statusCode} ${bytes.toString('utf8', 0, 300)}`);
  return { status: res.statusCode, headers: res.headers, bytes };
}

const once = new Map();
/** Runs `fn` once per key; every later caller shares its promise. */
const memo = (key, fn) => once.get(key) ?? once.set(key, fn()).get(key);

/** The blob at every target repository: mounted within a registry, else uploaded from one source read. */
function copyBlob(repo, digest) {
  return memo(`blob ${repo} ${digest}`, async () => {
    let bytes;
    const read = () => (bytes ??= call(srcUrl, 'GET', `/v2/${srcNs}/${repo}/blobs/${digest}`).then((r) => r.bytes));
    await Promise.all(targets.map(async (t) => {
      const path = `/v2/${t.ns}/${repo}/blobs/uploads/`;
      // The first repository of a registry to get the blob uploads it; the others mount from it.
      const first = t.url === srcUrl ? { from: `${srcNs}/${repo}`, done: Promise.resolve() } : memo(`first ${t.url} ${digest}`, () => ({ from: `${t.ns}/${repo}`, done: upload(t, path, digest, read) }));
      if (first.from === `${t.ns}/${repo}`) return first.done;
      await first.done;
      await call(t.url, 'POST', `${path}?mount=${digest}&from=${first.from}`, { expect: [201] });
    }));
  });
}

async function upload(t, path, digest, read) {
  const [session, bytes] = await Promise.all([call(t.url, 'POST', path, { expect: [202] }), read()]);
  const location = new URL(session.headers.location, t.url);
  location.searchParams.set('digest', digest);
  await call(t.url, 'PUT', location.pathname + location.search, { headers: { 'content-type': 'application/octet-stream' }, body: bytes, expect: [201] });
}

/** The manifest `ref` and everything below it at every target; `ref` is its tag or digest. */
function copyManifest(repo, ref) {
  return memo(`manifest ${repo} ${ref}`, async () => {
    const got = await call(srcUrl, 'GET', `/v2/${srcNs}/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT } });
    const type = got.headers['content-type'];
    const doc = JSON.parse(got.bytes.toString('utf8'));
    if (INDEXES.has(type)) await Promise.all(doc.manifests.map((m) => copyManifest(repo, m.digest)));
    else await Promise.all([doc.config, ...doc.layers].map((b) => copyBlob(repo, b.digest)));
    await Promise.all(targets.map((t) => call(t.url, 'PUT', `/v2/${t.ns}/${repo}/manifests/${ref}`, { headers: { 'content-type': type }, body: got.bytes, expect: [201] })));
  });
}

const started = Date.now();
let tags = 0;
await Promise.all(repoList.split(',').map(async (repo) => {
  const list = JSON.parse((await call(srcUrl, 'GET', `/v2/${srcNs}/${repo}/tags/list`)).bytes.toString('utf8'));
  tags += list.tags.length;
  await Promise.all(list.tags.map((tag) => copyManifest(repo, tag)));
}));
await Promise.all([...pools.values()].map((p) => p.close()));
process.stdout.write(`bare copier: ${tags} tags to ${targets.length} targets in ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
