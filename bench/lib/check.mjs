// Independent proof that a copy is right: every target tag answers with the source's digest.
import pLimit from 'p-limit';
import { ACCEPT } from './content.mjs';

/** Digest the registry reports for repo:ref, or null when absent. */
export async function digestAt(reg, repo, ref) {
  const res = await fetch(`${reg.url}/v2/${repo}/manifests/${ref}`, { method: 'HEAD', headers: { accept: ACCEPT } });
  return res.status === 200 ? res.headers.get('docker-content-digest') : null;
}

/** Throws unless every image is at every target (registry, namespace) with the same digest. */
export async function assertMirrored(images, targets) {
  const limit = pLimit(16);
  const wrong = [];
  await Promise.all(images.flatMap((img) => targets.map(({ reg, ns }) => limit(async () => {
    const got = await digestAt(reg, `${ns}/${img.repo}`, img.tag);
    if (got !== img.digest) wrong.push(`${reg.name}/${ns}/${img.repo}:${img.tag} has ${got}, want ${img.digest}`);
  }))));
  if (wrong.length > 0) throw new Error(`mirror check failed (${wrong.length}):\n${wrong.slice(0, 10).join('\n')}`);
}
