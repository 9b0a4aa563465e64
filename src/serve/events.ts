// One NDJSON line per request (SPEC.md "Gateway" event fields), to standard output or a file, for
// a log pipeline or `regmirror report stats`. No raw client address: a keyed, truncated hash that
// only tells two requests of one client apart, and whose key dies with the process.
import { createHmac, randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';

/** What one event says. */
export interface GatewayEvent {
  time: string;
  image: string;
  tag: string;
  digest: string;
  mediaType: string;
  method: string;
  kind: 'pull' | 'check' | 'blob' | 'binary' | 'other';
  backend: string;
  status: number;
  /** Client family from the User-Agent (docker, containerd, podman, helm, …). */
  client: string;
  durationMs: number;
  /** A pull this client already made in this session: logged, not counted again. */
  repeat?: boolean;
  /** The manifest came from the gateway's cache (stale: every backend was down). */
  cache?: 'hit' | 'stale';
  /** Still in flight when the shutdown's grace period ended, and cut off by it (status 503): not the backend's failure. */
  cutOff?: 'shutdown';
}

/** What an answer says of its request's event: all but the time, method, client and duration, which handle (handler.ts) adds. */
export type Ev = Omit<GatewayEvent, 'time' | 'method' | 'client' | 'durationMs'>;

/** Keyed hash of an address and User-Agent: stable within one process, useless outside it. */
export function clientKey(address: string, userAgent: string, key: Buffer): string {
  return createHmac('sha256', key).update(`${address}\n${userAgent}`).digest('hex').slice(0, 16);
}

/** A random key for clientKey (one per process). */
export function newClientKeySecret(): Buffer {
  return randomBytes(32);
}

/** Writes events; `close()` flushes a file. */
export interface EventSink {
  write(e: GatewayEvent): void;
  close(): Promise<void>;
}

/** "-" = standard output, else a file appended to. */
export function openEventSink(where: string): EventSink {
  if (where === '-') {
    return { write: (e) => process.stdout.write(`${JSON.stringify(e)}\n`), close: async () => {} };
  }
  const out: WriteStream = createWriteStream(where, { flags: 'a' });
  return {
    write: (e) => out.write(`${JSON.stringify(e)}\n`),
    close: () => new Promise((resolve) => out.end(() => resolve())),
  };
}
