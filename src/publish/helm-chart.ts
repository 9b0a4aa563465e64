// A binaries entry whose artifactType is Helm's config media type is a chart, pushed as `helm
// push` does, so that `helm pull oci://…` and `helm show chart` read it: the chart's Chart.yaml as
// the config (JSON), the .tgz as the chart layer, its .prov beside it when signed. An oras-style
// artifact (empty config, tar layers) of the same .tgz is refused by helm ("could not load config
// with mediatype application/vnd.cncf.helm.config.v1+json"). Helm pulls a chart by its version,
// so the chart's version must be the --tag it is published under.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { ManifestContent } from '../content/storage.js';
import { TITLE_ANNOTATION, type Descriptor } from '../types/descriptor.js';
import { sha256 } from '../types/digest.js';
import { UsageError } from '../types/errors.js';
import { OCI_MANIFEST } from '../types/mediatype.js';
import { tagSpelling } from '../types/tag.js';
import { tagSpellings } from '../inventory/tag-probe.js';
import { chartYamlOf } from './chart-archive.js';
import type { ReleaseFile } from './files.js';

export const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
export const HELM_CHART = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
export const HELM_PROV = 'application/vnd.cncf.helm.chart.provenance.v1.prov';

/** Helm's chart.Metadata fields in its JSON order (helm's config blob is json.Marshal of it). */
const METADATA_KEYS = ['name', 'home', 'sources', 'version', 'description', 'keywords', 'maintainers', 'icon', 'apiVersion', 'condition', 'tags', 'appVersion', 'deprecated', 'annotations', 'kubeVersion', 'dependencies', 'type'];

/** A chart as pushed: its manifest, its config blob (the other blobs are the release files) and its tag. */
export interface ChartArtifact { root: ManifestContent; config: { descriptor: Descriptor; bytes: Buffer }; tag: string }

/** True for an entry to push as a Helm chart. */
export function isHelmChart(artifactType: string): boolean {
  return artifactType === HELM_CONFIG;
}

/** The chart (one .tgz, and its .tgz.prov if any) among `files`, checked against `tag` (a tag, helm's spelling), as helm push would push it. */
export async function chartArtifact(files: ReleaseFile[], tag: string, what: string): Promise<ChartArtifact> {
  const charts = files.filter((f) => f.name.endsWith('.tgz'));
  const provs = files.filter((f) => f.name.endsWith('.tgz.prov'));
  const others = files.filter((f) => !charts.includes(f) && !provs.includes(f));
  if (charts.length !== 1 || provs.length > 1 || others.length > 0) {
    const found = files.map((f) => f.name).join(', ') || 'none';
    throw new UsageError(`${what}: a Helm chart entry (artifactType ${HELM_CONFIG}) takes one chart .tgz and its .tgz.prov, if signed; its files and urls give ${found}`);
  }
  const chart = charts[0]!;
  const meta = await chartMetadata(await readFile(chart.path), `${what}: ${chart.name}`);
  // One release however it is spelled (v1.2.3, 1.2.3), as sync finds it: the chart goes under its
  // own version, where `helm pull --version` looks (a chart 1.16.0 published with cmctl's --tag v1.16.0).
  const chartTag = tagSpelling(meta.version);
  if (!tagSpellings(tag).includes(chartTag)) {
    throw new UsageError(`${what}: ${chart.name} is chart ${meta.name} version ${meta.version} (its Chart.yaml), not ${tag} (--tag): helm pulls a chart by its version, so publish it with --tag ${meta.version}, or package the chart as ${tag}`);
  }
  const configBytes = Buffer.from(JSON.stringify(Object.fromEntries(METADATA_KEYS.filter((k) => present(meta[k])).map((k) => [k, meta[k]]))));
  const config: Descriptor = { mediaType: HELM_CONFIG, digest: sha256(configBytes), size: configBytes.byteLength };
  // Titled as oras and publish's other files are (helm reads none), so the gateway serves the .tgz by its name.
  const layer = (f: ReleaseFile, mediaType: string): Descriptor => ({ mediaType, digest: f.digest, size: f.size, annotations: { [TITLE_ANNOTATION]: f.name } });
  // helm push's annotations, but for org.opencontainers.image.created: the same chart gives the same digest on every run.
  const annotations: Record<string, string> = { 'org.opencontainers.image.title': meta.name };
  if (typeof meta.description === 'string' && meta.description) annotations['org.opencontainers.image.description'] = meta.description;
  annotations['org.opencontainers.image.version'] = meta.version;
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer(chart, HELM_CHART), ...provs.map((p) => layer(p, HELM_PROV))], annotations };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { root: { descriptor: { mediaType: OCI_MANIFEST, digest: sha256(bytes), size: bytes.byteLength }, bytes }, config: { descriptor: config, bytes: configBytes }, tag: chartTag };
}

/** Chart.yaml of a packaged chart, with the name and version helm requires. */
async function chartMetadata(tgz: Buffer, what: string): Promise<Record<string, unknown> & { name: string; version: string }> {
  let text: string | undefined;
  try {
    text = await chartYamlOf(tgz);
  } catch (err) {
    throw new UsageError(`${what}: not a packaged Helm chart (a gzipped tar, as \`helm package\` writes): ${(err as Error).message}`);
  }
  if (text === undefined) throw new UsageError(`${what}: not a packaged Helm chart: no Chart.yaml in its top directory (\`helm package\` puts it at NAME/Chart.yaml)`);
  let meta: unknown;
  try {
    meta = parse(text);
  } catch (err) {
    throw new UsageError(`${what}: its Chart.yaml is not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const m = (meta ?? {}) as Record<string, unknown>;
  for (const key of ['name', 'version']) {
    if (typeof m[key] !== 'string' || m[key] === '') throw new UsageError(`${what}: its Chart.yaml has no ${key}, which helm requires`);
  }
  return m as Record<string, unknown> & { name: string; version: string };
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== false && !(Array.isArray(value) && value.length === 0);
}
