// A registry that costs nothing: the distribution API answered from memory in a child process,
// with no disk, no hashing and no logging, so that what a copier spends against it is its own
// CPU alone (`npm run bench:cpu`). Enough of the API for the bench's workload and its copiers:
// tag lists, manifests (GET/HEAD/PUT), blobs (GET/HEAD), uploads (POST, PATCH, PUT) and mounts.
// Not a registry to test against: it trusts every digest it is given.
//
//   node bench/lib/instant-registry.mjs [ACCESS_LOG]   → prints its port, serves until killed
// With ACCESS_LOG, one line per request in distribution's format ("METHOD PATH HTTP/1.1" STATUS
// BYTES), so the bench counts its requests as it counts a real registry's.
import http from 'node:http';
import { createWriteStream } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';

const log = process.argv[2] ? createWriteStream(process.argv[2], { flags: 'a' }) : undefined;

const blobs = new Map(); // digest -> bytes
const linked = new Map(); // repository -> Set of digests it holds
const manifests = new Map(); // `repo@digest` -> { type, body }
const tags = new Map(); // repository -> Map tag -> digest
const uploads = new Map(); // session id -> chunks

const holds = (repo, digest) => linked.get(repo)?.has(digest) ?? false;
const link = (repo, digest) => (linked.get(repo) ?? linked.set(repo, new Set()).get(repo)).add(digest);
const tagsOf = (repo) => tags.get(repo) ?? tags.set(repo, new Map()).get(repo);

function answer(res, status, headers, body) {
  res.writeHead(status, { 'content-length': body ? body.length : 0, ...headers });
  res.end(body);
}
const fail = (res, status, code) => answer(res, status, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ errors: [{ code, message: code }] })));

function route(req, res, body) {
  const url = new URL(req.url, 'http://instant');
  const path = url.pathname;
  const head = req.method === 'HEAD';
  let m;
  if (path === '/v2/') return answer(res, 200, {}, Buffer.from('{}'));
  if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(path))) {
    if (!tags.has(m[1])) return fail(res, 404, 'NAME_UNKNOWN');
    return answer(res, 200, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ name: m[1], tags: [...tags.get(m[1]).keys()] })));
  }
  if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path))) {
    const [, repo, ref] = m;
    if (req.method === 'PUT') {
      const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      manifests.set(`${repo}@${digest}`, { type: req.headers['content-type'], body });
      if (!ref.startsWith('sha256:')) tagsOf(repo).set(ref, digest);
      else tagsOf(repo);
      return answer(res, 201, { 'docker-content-digest': digest, location: `/v2/${repo}/manifests/${digest}` });
    }
    const digest = ref.startsWith('sha256:') ? ref : tags.get(repo)?.get(ref);
    const found = digest && manifests.get(`${repo}@${digest}`);
    if (!found) return fail(res, 404, 'MANIFEST_UNKNOWN');
    res.writeHead(200, { 'content-type': found.type, 'docker-content-digest': digest, 'content-length': found.body.length });
    return res.end(head ? undefined : found.body);
  }
  if ((m = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path))) {
    const [, repo, digest] = m;
    if (!holds(repo, digest)) return fail(res, 404, 'BLOB_UNKNOWN');
    const bytes = blobs.get(digest);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'docker-content-digest': digest, 'content-length': bytes.length });
    return res.end(head ? undefined : bytes);
  }
  if ((m = /^\/v2\/(.+)\/blobs\/uploads\/$/.exec(path)) && req.method === 'POST') {
    const [, repo] = m;
    const mount = url.searchParams.get('mount');
    const from = url.searchParams.get('from');
    if (mount && from && holds(from, mount)) {
      link(repo, mount);
      return answer(res, 201, { location: `/v2/${repo}/blobs/${mount}`, 'docker-content-digest': mount });
    }
    const id = randomUUID();
    uploads.set(id, []);
    return answer(res, 202, { location: `/v2/${repo}/blobs/uploads/${id}`, range: '0-0', 'docker-upload-uuid': id });
  }
  if ((m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(path))) {
    const [, repo, id] = m;
    const chunks = uploads.get(id);
    if (!chunks) return fail(res, 404, 'BLOB_UPLOAD_UNKNOWN');
    if (body.length > 0) chunks.push(body);
    if (req.method === 'PATCH') return answer(res, 202, { location: `/v2/${repo}/blobs/uploads/${id}` });
    const digest = url.searchParams.get('digest');
    blobs.set(digest, Buffer.concat(chunks));
    link(repo, digest);
    uploads.delete(id);
    return answer(res, 201, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest });
  }
  return fail(res, 404, 'NOT_FOUND'); // the referrers API among others: use the tag fallback
}

const server = http.createServer((req, res) => {
  if (log) res.once('finish', () => log.write(`"${req.method} ${req.url} HTTP/1.1" ${res.statusCode} ${res.getHeader('content-length') ?? '-'}\n`));
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => route(req, res, Buffer.concat(chunks)));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
