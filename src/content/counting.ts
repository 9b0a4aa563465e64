// A call-counting wrapper (as oras-go's copy tests use) so copier tests can assert what was
// *not* done: no blob fetched twice, no push when the target had it, a mount instead of bytes.
import { Transform, pipeline, type Readable } from 'node:stream';
import type { Repository } from './storage.js';

const COUNTED = ['resolve', 'fetchManifest', 'fetchBlob', 'exists', 'pushBlob', 'pushManifest', 'tag', 'listTags', 'mountBlob', 'referrers'] as const;

/** Counters a counted repository carries next to the repository's own API. */
export interface CallCounts {
  /** Calls per method name (every counted name starts at 0). */
  calls: Record<string, number>;
  /** Blob bytes read by whoever consumed fetchBlob streams. */
  bytesFetched: number;
  /** Blob bytes the inner store consumed from pushBlob streams. */
  bytesPushed: number;
  /** Zeroes every counter (between the arrange and act steps of a test). */
  reset(): void;
}

/** `inner` with every call counted; optional powers (mount, referrers) exist only if inner has them. */
export function countingRepository<T extends Repository>(inner: T): T & CallCounts {
  const counts: CallCounts = {
    calls: {},
    bytesFetched: 0,
    bytesPushed: 0,
    reset() {
      for (const name of COUNTED) counts.calls[name] = 0;
      counts.bytesFetched = 0;
      counts.bytesPushed = 0;
    },
  };
  counts.reset();
  const counted = new Set<PropertyKey>(COUNTED);
  const own = new Set<PropertyKey>(['calls', 'bytesFetched', 'bytesPushed', 'reset']);

  const wrap = (name: string, method: (...args: unknown[]) => unknown) => (...args: unknown[]) => {
    counts.calls[name] = (counts.calls[name] ?? 0) + 1;
    if (name === 'pushBlob') {
      if (args[1] instanceof Uint8Array) counts.bytesPushed += args[1].byteLength;
      else args[1] = tally(args[1] as Readable, (n) => (counts.bytesPushed += n));
      return method.apply(inner, args);
    }
    if (name === 'fetchBlob') {
      return (method.apply(inner, args) as Promise<Readable>).then((s) => tally(s, (n) => (counts.bytesFetched += n)));
    }
    return method.apply(inner, args);
  };

  // A Proxy rather than a class: whatever inner has (including store-specific helpers and its
  // prototype for instanceof) shows through, and whatever it lacks stays absent.
  return new Proxy(inner, {
    get(target, prop) {
      if (own.has(prop)) return counts[prop as keyof CallCounts];
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (counted.has(prop)) return wrap(prop as string, value as (...args: unknown[]) => unknown);
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
    has(target, prop) {
      return own.has(prop) || Reflect.has(target, prop);
    },
  }) as T & CallCounts;
}

// Counts bytes as the consumer pulls them; errors and early destroys travel both ways.
function tally(source: Readable, add: (n: number) => void): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      add(chunk.byteLength);
      done(null, chunk);
    },
  });
  return pipeline(source, counter, () => {});
}
