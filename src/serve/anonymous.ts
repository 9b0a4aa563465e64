// Whether each backend host serves blobs to anyone, learned from one anonymous read and shared.
// A cold gateway's pull asks for every layer at once: each request found the host unknown and
// tried its own anonymous HEAD, up to 8 of them at a token-auth backend for the same blob, before
// the first refusal was remembered (gateway5 hunt). Requests that find a first try under way there
// now wait for its answer.
import type { BlobAccess } from '../registry/blob-access.js';

export class AnonymousMemory {
  /** true: it answered an anonymous read; false: it refused one (or is never sent clients). */
  private readonly known = new Map<string, boolean>();
  /** The first try under way at each host whose answer is not known yet. */
  private readonly asking = new Map<string, Promise<void>>();

  /** What was learned of `host`, if anything. */
  get(host: string): boolean | undefined {
    return this.known.get(host);
  }

  /**
   * `read(tryAnonymous)` at `host`: as learned, or, while nothing is, anonymously; a request that
   * finds a first try under way there waits for it once. A try that fails (a 404, a timeout)
   * teaches nothing, and those waiting go on together, not one by one: a backend lacking every
   * blob would otherwise serialize its requests.
   */
  async read(host: string, read: (tryAnonymous: boolean) => Promise<BlobAccess>, signal?: AbortSignal): Promise<BlobAccess> {
    const pending = this.asking.get(host);
    if (pending !== undefined && !this.known.has(host)) {
      await untilSettledOrAborted(pending, signal);
      signal?.throwIfAborted();
    }
    const known = this.known.get(host);
    const answer = read(known ?? true).then((a) => this.learn(host, a));
    if (known === undefined && !this.asking.has(host)) {
      this.asking.set(host, answer.then(() => undefined, () => undefined).finally(() => this.asking.delete(host)));
    }
    return answer;
  }

  // A redirect or a stream after an anonymous try means the anonymous HEAD was refused (401/403),
  // or the host is never sent clients (tls: insecure, mutual TLS): not tried again either way.
  // One host may hold public and private repositories: a refusal after an answer is believed.
  private learn(host: string, a: BlobAccess): BlobAccess {
    this.known.set(host, a.kind === 'anonymous');
    return a;
  }
}

function untilSettledOrAborted(p: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return p;
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void p.then(done);
  });
}
