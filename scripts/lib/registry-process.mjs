// What the demo and the benchmark share about running `docker-registry serve`: a free loopback
// port, and waiting until /v2/ answers (200, or 401 when the registry wants credentials).
import { createServer } from 'node:net';
import { fetch } from 'undici';

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once the registry at `url` answers; throws if its process exits or 15 s pass.
 * `dispatcher`: an undici Agent that trusts the registry's CA, when it serves HTTPS.
 */
export async function waitReady(url, child, logPath, dispatcher) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}; see ${logPath}`);
    try {
      const res = await fetch(`${url}/v2/`, { dispatcher });
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`docker-registry at ${url} did not answer within 15s; see ${logPath}`);
}
