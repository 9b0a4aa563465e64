// Docker Hub's rate limit in front of a real registry: past `limit` requests in a sliding window,
// 429 `toomanyrequests` with `ratelimit-limit`/`ratelimit-remaining` and no Retry-After, until
// the window has room again. Refused requests do not count (only pulls that happened do).
import type { Personality } from '../fault-proxy.js';
import { routeOf } from './common.js';

/** What to play. */
export interface DockerHubOptions {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

/** Counters a test can assert on. */
export interface DockerHubStats { admitted: number; limited: number }

/** A Docker Hub personality and what it saw. */
export function dockerHub(opts: DockerHubOptions): { play: Personality; stats: DockerHubStats } {
  const stats: DockerHubStats = { admitted: 0, limited: 0 };
  const recent: number[] = [];
  const window = `w=${Math.max(1, Math.round(opts.windowMs / 1000))}`;
  const play: Personality = (ex) => {
    if (!routeOf(ex.path)) return false;
    const now = Date.now();
    while (recent.length > 0 && recent[0]! <= now - opts.windowMs) recent.shift();
    if (recent.length < opts.limit) {
      recent.push(now);
      stats.admitted++;
      return false;
    }
    stats.limited++;
    ex.fail(429, 'TOOMANYREQUESTS', 'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit', {
      'ratelimit-limit': `${opts.limit};${window}`,
      'ratelimit-remaining': `0;${window}`,
      'docker-ratelimit-source': '127.0.0.1',
    });
    return true;
  };
  return { play, stats };
}
