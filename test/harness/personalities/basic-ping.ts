// A registry whose /v2/ asks for Basic while its repositories ask for a bearer token (a front end
// that guards the API root with its own password prompt, or a registry that signs only /v2/ in
// with Basic): the ping's challenge is not the one its repositories answer with.
import type { Personality } from '../fault-proxy.js';
import { answer } from './common.js';

/** Answers GET and HEAD /v2/ with 401 and a Basic challenge; everything else goes on to the registry. */
export function basicPing(): Personality {
  return (ex) => {
    if (ex.path !== '/v2/' && ex.path !== '/v2') return false;
    ex.req.resume();
    answer(ex, 401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="Registry Realm"' },
      JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    return true;
  };
}
