// A wide-area network on loopback: a TCP proxy in front of a registry that holds every chunk
// for `delayMs` in each direction before passing it on, so a request/response round trip costs
// 2 × delayMs as it would against a registry that far away. It works below HTTP, so keep-alive
// connections, pipelining and streamed bodies behave exactly as they would over a real link:
// chunks are forwarded as they arrive (never whole bodies), in order, and a direction with more
// than WINDOW bytes held back stops reading until the other end catches up (backpressure).
import { createServer, connect } from 'node:net';

const WINDOW = 4 << 20; // bytes held per direction, like a link's bandwidth-delay product

/** One direction of a connection: `from`'s bytes reach `to` delayMs later, in order. */
function delayed(from, to, delayMs) {
  let held = 0;
  let ended = false;
  // Reading goes on while less than WINDOW is held here and the receiver keeps up.
  const maybeResume = () => {
    if (held <= WINDOW && to.writableLength <= WINDOW && from.isPaused() && !ended) from.resume();
  };
  to.on('drain', maybeResume);
  from.on('data', (chunk) => {
    held += chunk.length;
    if (held > WINDOW) from.pause();
    // Timers of one duration fire in the order they were set: chunks keep their order.
    setTimeout(() => {
      held -= chunk.length;
      if (!to.destroyed && !to.write(chunk)) from.pause();
      maybeResume();
    }, delayMs);
  });
  from.once('end', () => {
    ended = true;
    setTimeout(() => to.end(), delayMs);
  });
}

/**
 * Starts a proxy on 127.0.0.1 (a free port) to `target` ({ host, url } of a registry). Returns an
 * object shaped like the registry for the bench's tools (`host`, `url`), plus `close()`.
 */
export async function startDelayProxy(target, delayMs) {
  const [host, port] = target.host.split(':');
  const sockets = new Set();
  const stats = { connections: 0 };
  const server = createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
    stats.connections++;
    const upstream = connect({ host, port: Number(port), noDelay: true, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      // A reset on one side ends the other: the peer sees what it would see on a real link.
      s.once('error', () => (s === client ? upstream : client).destroy());
    }
    delayed(client, upstream, delayMs);
    delayed(upstream, client, delayMs);
    client.once('close', () => setTimeout(() => upstream.destroy(), delayMs));
    upstream.once('close', () => setTimeout(() => client.destroy(), delayMs));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const proxyHost = `127.0.0.1:${server.address().port}`;
  return {
    ...target, host: proxyHost, url: `http://${proxyHost}`, delayMs, registry: target, stats,
    /** Stops accepting and drops every connection. */
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
