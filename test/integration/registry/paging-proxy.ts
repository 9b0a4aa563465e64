// distribution 2.8 ignores `n` on tag lists, so this proxy in front of it pages them the way
// distribution 3 and most registries do (`Link: </v2/…/tags/list?n=N&last=T>; rel="next"`).
// Every other request is passed through untouched.
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running proxy; `pages` counts tag-list pages served. */
export interface PagingProxy {
  url: string;
  pages: number;
  stop(): Promise<void>;
}

/**
 * How the pages link on, when not as they should: `wrap`, the last page links back to the first,
 * every link with a fresh nonce (as opaque cursors carry one), so no link is ever the same twice
 * (a cursor that wraps around); `self`, every page links to itself; `nolink`, pages of `n` with
 * no Link at all (Sonatype Nexus, sonatype/nexus-public#209); `digests`, the manifests' digests
 * listed among the tags (JFrog Artifactory, containers/skopeo#2346); `refuseslast`, as `nolink`
 * and a 400 to any `last=`.
 */
export type BrokenPaging = 'wrap' | 'self' | 'nolink' | 'digests' | 'refuseslast';

/**
 * Starts the proxy in front of `upstream` (`http://127.0.0.1:PORT`). `linkBase` makes each Link
 * absolute on that origin, as a registry that knows itself by another name writes it.
 */
export async function startPagingProxy(upstream: string, linkBase = '', broken?: BrokenPaging): Promise<PagingProxy> {
  const target = new URL(upstream);
  const state: PagingProxy = { url: '', pages: 0, stop: async () => {} };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', upstream);
    const paged = req.method === 'GET' && url.pathname.endsWith('/tags/list') && url.searchParams.has('n');
    if (paged && broken === 'refuseslast' && url.searchParams.has('last')) {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"errors":[{"code":"PAGINATION_NUMBER_INVALID","message":"invalid number of results requested"}]}');
      return;
    }
    const upstreamPath = paged ? url.pathname : `${url.pathname}${url.search}`;
    const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: upstreamPath, headers: req.headers }, (up) => {
      if (!paged || up.statusCode !== 200) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string; tags: string[] };
        const all = [...body.tags].sort();
        const n = Number(url.searchParams.get('n'));
        const last = url.searchParams.get('last');
        const start = last ? all.findIndex((t) => t > last) : 0;
        const page = start < 0 ? [] : all.slice(start, start + n);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (start >= 0 && start + n < all.length) headers.link = `<${linkBase}${url.pathname}?n=${n}&last=${encodeURIComponent(page[page.length - 1]!)}>; rel="next"`;
        else if (broken === 'wrap') headers.link = `<${linkBase}${url.pathname}?n=${n}>; rel="next"`;
        if (broken === 'wrap') headers.link = headers.link!.replace('>;', `&nonce=${state.pages}>;`);
        if (broken === 'self' && headers.link) headers.link = `<${linkBase}${url.pathname}${url.search}>; rel="next"`;
        if (broken === 'nolink' || broken === 'refuseslast') delete headers.link;
        if (broken === 'digests') page.push(...page.map((tag) => `sha256:${createHash('sha256').update(tag).digest('hex')}`));
        state.pages++;
        res.writeHead(200, headers).end(JSON.stringify({ name: body.name, tags: page }));
      });
    });
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return state;
}
