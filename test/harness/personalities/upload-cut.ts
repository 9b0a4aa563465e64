// A proxy that cuts every blob upload's body: it reads the request's headers and about half its
// body, then closes the connection with the rest unread (the kernel answers with a reset), as a
// broken or overloaded proxy in front of a registry does. Nothing reaches the registry; other
// requests (the POST opening a session, HEADs) pass through.
import type { Personality } from '../fault-proxy.js';
import { routeOf } from './common.js';

/** Every PUT or PATCH carrying blob bytes, cut after about half of them. */
export function uploadCut(): Personality {
  return async (ex) => {
    const length = Number(ex.req.headers['content-length'] ?? 0);
    if (routeOf(ex.path)?.resource !== 'uploads' || (ex.method !== 'PUT' && ex.method !== 'PATCH') || !(length > 0)) return false;
    let read = 0;
    ex.req.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read >= length / 2) ex.req.socket.destroy();
    });
    return true;
  };
}
