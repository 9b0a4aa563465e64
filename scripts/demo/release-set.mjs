// A small jetstack-like release, staged as OCI layouts on disk: five multi-arch images and the
// Helm chart, each release signed with a cosign-style `sha256-HEX.sig` tag. Layers are tiny but
// real (gzip'd tars, configs with matching diff_ids), and every image shares one base layer per
// platform, as distroless-based images do.
import { join } from 'node:path';
import { layerOf } from './blobs.mjs';
import { LayoutWriter, MT } from './layout.mjs';

/** The images cert-manager publishes under quay.io/jetstack. */
export const IMAGES = ['cert-manager-controller', 'cert-manager-webhook', 'cert-manager-cainjector', 'cert-manager-acmesolver', 'cert-manager-startupapicheck'];
/** Where the chart lives under the namespace, as on quay.io/jetstack/charts/cert-manager. */
export const CHART = 'charts/cert-manager';
/** Release tags; the old release and the pre-release are there to be filtered out by tag rules. */
export const RELEASES = ['v1.13.6', 'v1.14.0', 'v1.14.1', 'v1.14.2', 'v1.14.3', 'v1.15.0-alpha.0'];
/** Floating tags and the release they follow. */
export const FLOATING = { 'v1.14': 'v1.14.3' };
/** The chart's release: Helm wants the bare version, cert-manager also publishes the v-prefixed one. */
export const CHART_TAGS = ['v1.14.3', '1.14.3'];
export const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
  { os: 'linux', architecture: 's390x' },
];

const CREATED = '2024-02-15T00:00:00Z';

/** Writes every layout under `dir` (`dir/<image>`, `dir/charts/cert-manager`); returns a count of what was staged. */
export function stageReleaseSet(dir) {
  const bases = PLATFORMS.map((p) => layerOf({ 'etc/os-release': `NAME="demo base"\nARCH=${p.architecture}\n` }));
  let manifests = 0;
  for (const image of IMAGES) {
    const layout = new LayoutWriter(join(dir, image));
    const byTag = {};
    for (const release of RELEASES) {
      const children = PLATFORMS.map((platform, i) => platformManifest(layout, image, release, platform, bases[i]));
      const index = layout.json({ schemaVersion: 2, mediaType: MT.index, manifests: children }, MT.index);
      layout.tag(index, release);
      sign(layout, `quay.io/jetstack/${image}`, index);
      byTag[release] = index;
      manifests += children.length + 2;
    }
    for (const [floating, release] of Object.entries(FLOATING)) layout.tag(byTag[release], floating);
    layout.close();
  }
  const chart = new LayoutWriter(join(dir, CHART));
  const version = CHART_TAGS[0];
  const config = chart.json({ apiVersion: 'v2', name: 'cert-manager', version, appVersion: version, description: 'A Helm chart for cert-manager', type: 'application' }, MT.helmConfig);
  const content = chart.blob(layerOf({ 'cert-manager/Chart.yaml': `apiVersion: v2\nname: cert-manager\nversion: ${version}\nappVersion: ${version}\n` }).bytes, MT.helmChart);
  const manifest = chart.json({ schemaVersion: 2, mediaType: MT.manifest, config, layers: [content], annotations: { 'org.opencontainers.image.created': CREATED } }, MT.manifest);
  for (const tag of CHART_TAGS) chart.tag(manifest, tag);
  sign(chart, 'quay.io/jetstack/charts/cert-manager', manifest);
  chart.close();
  return { images: IMAGES.length, releases: RELEASES.length, platforms: PLATFORMS.length, manifests: manifests + 2 };
}

function platformManifest(layout, image, release, platform, base) {
  const binary = `/app/cmd/${image.replace('cert-manager-', '')}`;
  const app = layerOf({ [binary.slice(1)]: `#!/bin/sh\necho "${image} ${release} ${platform.os}/${platform.architecture}"\n` });
  const baseDesc = layout.blob(base.bytes, MT.layer);
  const appDesc = layout.blob(app.bytes, MT.layer);
  const config = layout.json({
    created: CREATED, architecture: platform.architecture, os: platform.os,
    config: { Entrypoint: [binary], User: '1000', Labels: { 'org.opencontainers.image.version': release } },
    rootfs: { type: 'layers', diff_ids: [base.diffId, app.diffId] },
    history: [{ created: CREATED, comment: 'base' }, { created: CREATED, created_by: `COPY ${image} ${binary}` }],
  }, MT.config);
  return layout.json({ schemaVersion: 2, mediaType: MT.manifest, config, layers: [baseDesc, appDesc] }, MT.manifest, { platform });
}

// A cosign "simple signing" signature, stored the way `cosign sign` stores it: an image manifest
// tagged sha256-HEX.sig whose one layer is the payload naming the signed digest.
function sign(layout, identity, subject) {
  const payload = layout.blob(Buffer.from(JSON.stringify({
    critical: { identity: { 'docker-reference': identity }, image: { 'docker-manifest-digest': subject.digest }, type: 'cosign container image signature' },
    optional: null,
  })), MT.cosignPayload, { annotations: { 'dev.cosignproject.cosign/signature': `MEUCIQ${subject.digest.slice(7, 47)}demo` } });
  const config = layout.json({
    architecture: '', created: '0001-01-01T00:00:00Z', os: '', config: {},
    rootfs: { type: 'layers', diff_ids: [payload.digest] }, history: [{ created: '0001-01-01T00:00:00Z' }],
  }, MT.config);
  const manifest = layout.json({ schemaVersion: 2, mediaType: MT.manifest, config, layers: [payload] }, MT.manifest);
  layout.tag(manifest, `sha256-${subject.digest.slice('sha256:'.length)}.sig`);
}
