// What `regmirror validate` prints: the config as a person would explain it, so a reviewer can
// check what a change selects. Credentials appear only as the names of their env vars.
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { formatRepository, repositoryIn } from '../types/reference.js';
import type { Config, GatewaySettings, RegistrySettings, TagRules } from './model.js';
import { formatNamespace } from './rules.js';

/** A human summary of a validated config (images, binaries, registries). */
export function describeConfig(config: Config): string {
  const lines: string[] = [`${config.file}: ${config.images.length} image(s), ${config.binaries.length} binary artifact(s)`];
  if (config.images.length > 0) lines.push('', 'images:');
  for (const item of config.images) {
    lines.push(`  ${formatRepository(item.source)}`);
    for (const ns of item.targets) lines.push(`    → ${formatRepository(repositoryIn(ns, item.name))}`);
    lines.push(`    tags: ${describeRules(item.tags, item.hasTagRules)}`);
    const extras = [item.referrers ? 'with referrers' : 'without referrers', item.overwrite ? 'overwrite' : 'no overwrite', `engine ${item.engine}`];
    lines.push(`    ${extras.join(', ')}`);
  }
  if (config.binaries.length > 0) lines.push('', 'binaries:');
  for (const b of config.binaries) {
    lines.push(`  ${b.name} (${b.artifactType})`);
    for (const ns of b.targets) lines.push(`    → ${formatRepository(repositoryIn(ns, b.name))}`);
    if (b.files.length) lines.push(`    files: ${b.files.join(', ')}`);
    if (b.urls.length) lines.push(`    urls: ${b.urls.join(', ')}`);
    if (b.checksums) lines.push(`    checksums: ${b.checksums}${checksumsElsewhere(config.file, b.checksums)}`);
    lines.push(`    reference: ${b.source ? formatNamespace(b.source) : 'the first target'}`);
  }
  if (config.registries.size > 0) lines.push('', 'registries:');
  for (const r of config.registries.values()) lines.push(`  ${r.host}: ${describeRegistry(r)}`);
  if (config.gateway) lines.push('', ...describeGateway(config.gateway));
  return lines.join('\n');
}

/** Tag rules in words. */
export function describeRules(rules: TagRules, hasRules: boolean): string {
  if (!hasRules) return 'every tag';
  const parts: string[] = [];
  if (rules.semver !== undefined) parts.push(`semver ${rules.semver}`);
  if (rules.prerelease === true) parts.push('prereleases included');
  if (rules.prerelease === false) parts.push('no prereleases');
  if (rules.include.length) parts.push(`matching ${rules.include.map((r) => `/${r}/`).join(' or ')}`);
  if (rules.exclude.length) parts.push(`not matching ${rules.exclude.map((r) => `/${r}/`).join(' or ')}`);
  if (rules.latest > 0) parts.push(`only the ${rules.latest} highest version(s)`);
  const base = parts.length ? parts.join(', ') : 'every tag';
  return rules.explicit.length ? `${base}; always ${rules.explicit.join(', ')}` : base;
}

// What `regmirror serve` would serve, and from where, in order.
function describeGateway(g: GatewaySettings): string[] {
  const host = g.listen.host.includes(':') ? `[${g.listen.host}]` : g.listen.host;
  const lines = [`gateway: listen ${host}:${g.listen.port}${g.host ? `, public name ${g.host}` : ''}, events to ${g.events === '-' ? 'stdout' : g.events}, probes every ${g.healthInterval}s`];
  for (const i of g.images) lines.push(`  /v2/${i.path} ← ${i.backends.map(formatRepository).join(', then ')}`);
  for (const b of g.binaries) lines.push(`  /${b.item.name}/<tag>/<file> ← ${b.item.urls.length ? 'its urls' : b.backends.map(formatRepository).join(', then ')}`);
  return lines;
}

// An endpoint's scheme is what the client speaks (registry/http/scheme.ts), https:// verified unless
// `tls: insecure`: a loopback host sent to https:// was said to be `tls disabled`, its default (newuser hunt).
function spokenTls(r: RegistrySettings): RegistrySettings['tls'] {
  if (r.endpoint === undefined) return r.tls;
  return /^http:/i.test(r.endpoint) ? 'disabled' : r.tls === 'insecure' ? 'insecure' : 'verify';
}

function describeRegistry(r: RegistrySettings): string {
  const parts = [`tls ${spokenTls(r)}`];
  const c = r.credentials;
  if (c?.tokenEnv) parts.push(`token from $${c.tokenEnv}`);
  else if (c) parts.push(`credentials from $${c.usernameEnv} / $${c.passwordEnv}`);
  else parts.push('credentials from Docker config or anonymous');
  if (r.endpoint) parts.push(`endpoint ${r.endpoint}`);
  if (r.caFile) parts.push(`CA ${r.caFile}`);
  if (r.concurrency !== undefined) parts.push(`concurrency ${r.concurrency}`);
  if (r.maxAttempts !== undefined) parts.push(`max attempts ${r.maxAttempts}`);
  if (r.rateLimit !== undefined) parts.push(`at most ${r.rateLimit} requests/s`);
  if (r.http2 === false) parts.push('HTTP/1.1 only');
  if (r.pipelining === false) parts.push('no HTTP/1.1 pipelining');
  return parts.join(', ');
}

// publish reads `checksums` beside mirrors.yaml, else at the same relative path under --dir (where
// release jobs keep it): the path alone read as if only that file would do, absent as it often is.
function checksumsElsewhere(file: string, checksums: string): string {
  const rel = relative(dirname(resolve(file)), checksums);
  return rel.startsWith('..') || isAbsolute(rel) ? '' : ` (else ${rel} under publish's --dir)`;
}
