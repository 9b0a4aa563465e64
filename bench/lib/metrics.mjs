// Figures read from the registries' access logs: the same evidence for both tools.

/** Requests per method (and total) in a slice of an access log. */
export function byMethod(requests) {
  const out = { total: requests.length };
  for (const r of requests) out[r.method] = (out[r.method] ?? 0) + 1;
  return out;
}

const BLOB_GET = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/;

/** Successful blob GETs under `prefix` (e.g. /v2/jetstack/): count and per-digest counts. */
export function blobReads(requests, prefix) {
  const perDigest = new Map();
  for (const r of requests) {
    const m = r.method === 'GET' && r.status === 200 && r.path.startsWith(prefix) ? BLOB_GET.exec(r.path) : null;
    if (m) perDigest.set(m[2], (perDigest.get(m[2]) ?? 0) + 1);
  }
  const reads = [...perDigest.values()].reduce((a, b) => a + b, 0);
  return { reads, distinct: perDigest.size, maxPerDigest: Math.max(0, ...perDigest.values()) };
}

/**
 * Blob writes under `prefix`: completed uploads (PUT/POST ?digest= answered 201, sized from
 * `sizes`), PATCH chunks, and cross-repository mounts (POST ?mount= answered 201).
 */
export function blobWrites(requests, prefix, sizes) {
  const out = { uploads: 0, bytes: 0, patches: 0, mounts: 0, mountFallbacks: 0 };
  for (const r of requests) {
    if (!r.path.startsWith(prefix) || !r.path.includes('/blobs/uploads/')) continue;
    const url = new URL(r.path, 'http://x');
    if (r.method === 'PATCH') out.patches++;
    if (r.method === 'POST' && url.searchParams.has('mount')) {
      if (r.status === 201) out.mounts++;
      else out.mountFallbacks++;
    } else if ((r.method === 'PUT' || r.method === 'POST') && r.status === 201 && url.searchParams.has('digest')) {
      out.uploads++;
      out.bytes += sizes.get(url.searchParams.get('digest')) ?? 0;
    }
  }
  return out;
}

/** Per-registry request counts and CPU between two snapshots. */
export function snapshot(registries) {
  return registries.map((r) => ({ reg: r, offset: r.logOffset(), cpu: r.cpuSeconds() }));
}

/** What each registry did since `before`: { name, cpu, requests, methods }. */
export function since(before) {
  return before.map(({ reg, offset, cpu }) => {
    const requests = reg.requestsSince(offset);
    return { name: reg.name, cpu: reg.cpuSeconds() - cpu, requests, methods: byMethod(requests) };
  });
}
