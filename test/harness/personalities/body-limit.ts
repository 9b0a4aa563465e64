// A reverse proxy's request-body limit in front of a registry: nginx refuses a body over its
// `client_max_body_size` (1 MiB unless set, a common setup mistake the distribution docs warn
// about) with 413 and its own HTML page, for any method. Registries behind one take small blobs
// and manifests and refuse every larger upload request.
import type { Personality } from '../fault-proxy.js';

/** What the proxy refused and the largest body it let through. */
export interface BodyLimitStats { refused: number; largestAccepted: number }

const PAGE = '<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Refuses request bodies over `maxBytes` (nginx's default: 1 MiB). */
export function bodyLimit(maxBytes = 1024 * 1024): { personality: Personality; stats: BodyLimitStats } {
  const stats: BodyLimitStats = { refused: 0, largestAccepted: 0 };
  const personality: Personality = async (ex) => {
    const length = Number(ex.req.headers['content-length'] ?? 0);
    if (!(length > maxBytes)) {
      if (length > stats.largestAccepted) stats.largestAccepted = length;
      return false;
    }
    await ex.readBody(); // nginx reads the rest away (lingering close) so the client sees the 413
    stats.refused++;
    ex.entry.status = 413;
    ex.res.writeHead(413, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(PAGE), connection: 'close' }).end(PAGE);
    return true;
  };
  return { personality, stats };
}
