// Keep-alive connection pools per registry (undici Agent: one Pool per origin), with the
// registry's TLS settings: `insecure` skips verification, caFile adds a CA to Node's roots.
// HTTP/2 is offered by ALPN over TLS (HTTP/1.1 stays the fallback) unless `http2: false`.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent } from './undici.js';
import type { RegistrySettings } from '../../config/model.js';
import { UsageError } from '../../types/errors.js';

/** The connection pool for one registry host; `connections` is per origin. */
export function createAgent(settings: RegistrySettings | undefined, connections: number): Agent {
  const connect: { rejectUnauthorized?: boolean; ca?: string[] } = {};
  if (settings?.tls === 'insecure') connect.rejectUnauthorized = false;
  if (settings?.caFile) {
    let extra: string;
    try {
      extra = readFileSync(settings.caFile, 'utf8');
    } catch (e) {
      throw new UsageError(`caFile for ${settings.host}: cannot read ${settings.caFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    connect.ca = [...rootCertificates, extra];
  }
  return new Agent({ connections, keepAliveTimeout: 30_000, connect, allowH2: settings?.http2 !== false });
}

let foreign: Agent | undefined;

/** The verifying pool for redirect targets on other origins (CDNs, object stores). */
export function foreignAgent(): Agent {
  foreign ??= new Agent({ connections: 16, keepAliveTimeout: 30_000, allowH2: true });
  return foreign;
}
