// Blob reads held at the source until a test has done what it needs mid-run (stopped a target,
// restarted a proxy): the run is then surely mid-way, with every tag in flight, when it happens.
import type { Personality } from '../fault-proxy.js';

export interface HeldReads {
  /** Holds every GET of a blob of the repository until release(). */
  personality: Personality;
  /** Resolves when the first such read has arrived. */
  reading: Promise<void>;
  release(): void;
}

/** Holds the blob GETs whose path holds `/REPOSITORY/blobs/`. */
export function heldReads(repository: string): HeldReads {
  let arrived!: () => void;
  const reading = new Promise<void>((resolve) => { arrived = resolve; });
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  const personality: Personality = async (ex) => {
    if (ex.method === 'GET' && ex.path.includes(`/${repository}/blobs/`)) {
      arrived();
      await released;
    }
    return false;
  };
  return { personality, reading, release };
}
