// The kind of client behind a User-Agent, for counting who pulls (never the raw string: it can
// carry host names and versions nobody asked us to keep).

const FAMILIES: [RegExp, string][] = [
  [/^regmirror\//i, 'regmirror'],
  [/\bcontainerd\//i, 'containerd'],
  [/\bcri-o\//i, 'cri-o'],
  [/^docker\/|\bdocker-credential/i, 'docker'],
  [/\bpodman\b|libpod/i, 'podman'],
  [/\bskopeo\b/i, 'skopeo'],
  [/\bbuildah\b/i, 'buildah'],
  [/containers\/image|^containers\//i, 'containers-image'],
  [/\bhelm\//i, 'helm'],
  [/\bcrane\b|go-containerregistry/i, 'crane'],
  [/\boras\b/i, 'oras'],
  [/\bkaniko\b/i, 'kaniko'],
  [/\bcurl\//i, 'curl'],
  [/\bwget\b/i, 'wget'],
  [/mozilla\//i, 'browser'],
  [/^go-http-client\//i, 'go'],
];

/** A short family name ("docker", "containerd", "helm", … "other"; "" without a User-Agent). */
export function clientFamily(userAgent: string | undefined): string {
  if (!userAgent) return '';
  for (const [pattern, family] of FAMILIES) if (pattern.test(userAgent)) return family;
  return 'other';
}
