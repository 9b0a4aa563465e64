// TLS everywhere in the test bed (issue 9): one place for the plumbing every test needs to put
// its registries and proxies on HTTPS with the test CA, so tests do not repeat caFile lines.
import type { RegistrySettings } from '../../src/config/model.js';
import type { RunningRegistry } from './registry.js';
import { startFaultProxy, type FaultProxy, type FaultProxyOptions } from './fault-proxy.js';
import { testCerts } from './tls.js';

/** Extra settings for one registry's entry (written as YAML flow values, e.g. `maxAttempts: 3`). */
export type EntrySettings = Record<string, string | number | boolean>;

/** What registriesYaml needs of a registry: its host, and its CA when it serves TLS. */
export interface TlsHost { host: string; caFile?: string }

/**
 * The `registries:` block of a mirrors.yaml for these registries: each TLS one gets its test CA
 * as `caFile` (which also tells regmirror a loopback host speaks HTTPS), plus any `settings`.
 */
export function registriesYaml(entries: (TlsHost | [TlsHost, EntrySettings])[]): string {
  const lines = ['registries:'];
  for (const entry of entries) {
    const [reg, settings] = Array.isArray(entry) ? entry : [entry, {}];
    lines.push(`  ${reg.host}:`);
    if (reg.caFile) lines.push(`    caFile: ${reg.caFile}`);
    for (const [key, value] of Object.entries(settings)) lines.push(`    ${key}: ${value}`);
    if (!reg.caFile && Object.keys(settings).length === 0) lines[lines.length - 1] += ' {}';
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A mirrors.yaml copying `source`'s `repository` (or each of several) into `target`'s `namespace`
 * (default `mirror`), each TLS registry trusted by its caFile; the target may carry settings
 * (credentials, maxAttempts).
 */
export function oneMirrorYaml(source: TlsHost, target: TlsHost | [TlsHost, EntrySettings], repository: string | string[], namespace = 'mirror'): string {
  const host = Array.isArray(target) ? target[0].host : target.host;
  const images = (Array.isArray(repository) ? repository : [repository]).map((r) => `  - source: ${source.host}/${r}\n`).join('');
  return `version: 1\ndefaults:\n  targets: [${host}/${namespace}]\n${registriesYaml([source, target])}images:\n${images}`;
}

/** The target settings of a registry whose credentials come from DST_USER and DST_PASS (oneMirrorYaml). */
export const DST_CREDENTIALS: EntrySettings = { credentials: '{ usernameEnv: DST_USER, passwordEnv: DST_PASS }' };

/** The same as registriesYaml, as the settings map a RegistryClient or SkopeoEngine takes. */
export function registrySettings(entries: (TlsHost | [TlsHost, Partial<RegistrySettings>])[]): Map<string, RegistrySettings> {
  return new Map(entries.map((entry) => {
    const [reg, settings] = Array.isArray(entry) ? entry : [entry, {}];
    const tls = reg.caFile ? { tls: 'verify' as const, caFile: reg.caFile } : { tls: 'disabled' as const };
    return [reg.host, { host: reg.host, ...tls, ...settings }];
  }));
}

/**
 * A fault proxy in front of `reg` that speaks like it: HTTPS with a certificate from the same test
 * CA (so the registry's caFile trusts the proxy too) when the registry serves TLS, plain otherwise.
 */
export async function proxyFor(reg: RunningRegistry, opts: Omit<FaultProxyOptions, 'tls' | 'upstreamCa'> & { http2?: boolean } = {}): Promise<FaultProxy> {
  if (!reg.caFile) return startFaultProxy(reg.url, opts);
  const { http2, ...rest } = opts;
  const good = (await testCerts()).servers.good;
  return startFaultProxy(reg.url, { ...rest, tls: { ...good, ...(http2 ? { http2 } : {}) }, upstreamCa: reg.caFile });
}
