// The two mirrors.yaml files the demo writes: one that publishes the staged layouts to the
// "quay" registry (regmirror reading oci: layouts, the air-gap path), and the real demo config.
import { join } from 'node:path';
import { CHART, IMAGES } from './release-set.mjs';

/** Env var names the demo config gives for the "ghcr" credentials (set in the child's env only). */
export const GHCR_USER_ENV = 'DEMO_GHCR_USER';
export const GHCR_TOKEN_ENV = 'DEMO_GHCR_TOKEN';

/** Staging: every layout under `layoutDir` → `QUAY/jetstack`, the chart under `jetstack/charts`. */
export function stagingConfig(layoutDir, quay) {
  return `# Publishes the release staged as OCI layouts on disk to the "quay" registry.
version: 1
defaults:
  targets: [${quay.host}/jetstack]
images:
${IMAGES.map((image) => `  - source: oci:${join(layoutDir, image)}`).join('\n')}
  - source: oci:${join(layoutDir, CHART)}
    targets: [${quay.host}/jetstack/charts]
`;
}

/** The demo's mirrors.yaml: jetstack/* → cert-manager/* on "quay" and on "ghcr". */
export function demoConfig(quay, ghcr) {
  return `# regmirror demo: quay.io/jetstack → quay.io/cert-manager + ghcr.io/cert-manager, played by
# two local registries: "quay" = ${quay.host} (plain HTTP), "ghcr" = ${ghcr.host} (HTTPS, basic auth).
version: 1
defaults:
  targets:                          # each image is mirrored into both, under its own name
    - ${quay.host}/cert-manager      # same registry as the source: blobs are mounted, not copied
    - ${ghcr.host}/cert-manager
  tags:
    semver: ">=1.14.0"              # v1.13.6 is left behind
    prerelease: false               # v1.15.0-alpha.0 too
    explicit: [v1.14]               # the floating tag travels as well (written after the releases)
  referrers: true                   # cosign signatures (sha256-HEX.sig) follow each digest
  overwrite: false                  # a target tag pointing elsewhere is a conflict unless --force
registries:
  ${ghcr.host}:
    caFile: ca.pem                  # the demo's own CA (relative to this file); a public registry needs none
    credentials:                    # only env var NAMES here; the values never appear in output
      usernameEnv: ${GHCR_USER_ENV}
      passwordEnv: ${GHCR_TOKEN_ENV}
images:
${IMAGES.map((image) => `  - source: ${quay.host}/jetstack/${image}`).join('\n')}
  - source: ${quay.host}/jetstack/${CHART}     # the Helm chart: an OCI artifact, copied alike
    tags: { explicit: [] }          # merged key by key over defaults.tags: no floating tag here
    targets:
      - ${quay.host}/cert-manager/charts
      - ${ghcr.host}/cert-manager/charts
`;
}
