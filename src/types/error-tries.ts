// How often a failed request was tried, carried with its error (WeakMaps, so its class and fields
// stay its own): said in its message by triedOut, read back by the copier to count tries in all.

/** Failures of a request the transport already asked again until its retry budget was spent, with how often it was asked. */
const askedInPlace = new WeakMap<object, number>();

/**
 * Marks `err` as the failure of a request asked `tries` times in place (an upload's session start
 * or chunk, registry/upload.ts): another whole upload would ask it as often again, so the copier
 * gives the blob up there (copy/upload.ts) rather than multiply the tries.
 */
export function retriedInPlace<E>(err: E, tries: number): E {
  if (typeof err === 'object' && err !== null) askedInPlace.set(err, tries);
  return err;
}

/**
 * `err` said as the last of `tries`: what it was and how often it was tried, then its own words (a
 * blob upload, a manifest PUT given up on); or, with no `what` (a read that spent its retries), its
 * own words and then how often. Same class and fields, so it is still handled by kind.
 */
export function triedOut<E extends Error>(err: E, what: string | undefined, tries: number): E {
  const count = tries === 1 ? 'once' : `${tries} times`;
  // Without a `what`, the line keeps its own start (the host, the request) and ends with the count.
  const message = what ? `${what}, tried ${count}; the last time: ${err.message}` : `${err.message} (tried ${count})`;
  const said = Object.create(Object.getPrototypeOf(err), { ...Object.getOwnPropertyDescriptors(err), message: { value: message, writable: true, configurable: true } }) as E;
  // -v prints the stack, whose first line holds the message: the new one there too, the frames kept.
  if (typeof err.stack === 'string' && err.message !== '') {
    const head = err.stack.split('\n    at ')[0] ?? '';
    said.stack = head.replace(err.message, () => message) + err.stack.slice(head.length);
  }
  told.set(said, { err, what, tries });
  return said;
}

/** What triedOut said an error of: the failure itself, what it was, how often it was tried. */
const told = new WeakMap<object, { err: Error; what: string | undefined; tries: number }>();

/** How often triedOut said `err` was tried, or undefined. */
export function triesTold(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null ? told.get(err)?.tries : undefined;
}

/** `err` said by triedOut again with `tries` in all: an operation that repeated the request whole (the copier reading a blob again). */
export function triedInAll(err: unknown, tries: number): unknown {
  const said = typeof err === 'object' && err !== null ? told.get(err) : undefined;
  return said && tries > said.tries ? triedOut(said.err, said.what, tries) : err;
}

/** How often the request `err` failed was asked in place (retriedInPlace), or undefined. */
export function triesInPlace(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null ? askedInPlace.get(err) : undefined;
}
