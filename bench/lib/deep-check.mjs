// A deeper proof than tag digests, by skopeo (the independent judge): `skopeo copy --all` of a tag
// into an OCI layout reads every manifest and blob below it and checks each against its digest,
// so a missing or wrong blob fails it. Used on a sample of tags, straight at the registry.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempRoot } from './cleanup.mjs';

const run = promisify(execFile);
let serial = 0;

/** Throws unless skopeo can copy every image whole from every target with the expected digest. */
export async function assertWholeBySkopeo(images, targets) {
  for (const img of images) {
    for (const { reg, ns } of targets) {
      const dir = join(tempRoot(), `deep-${++serial}`);
      const from = `docker://${reg.host}/${ns}/${img.repo}:${img.tag}`;
      await run('skopeo', ['copy', '--all', '--preserve-digests', '--src-tls-verify=false', '-q', from, `oci:${dir}:${img.tag}`], { env: { ...process.env, HOME: tempRoot() } })
        .catch((err) => { throw new Error(`skopeo could not copy ${from} whole: ${err.stderr || err.message}`); });
      const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
      const got = index.manifests[0]?.digest;
      if (got !== img.digest) throw new Error(`skopeo read ${from} as ${got}, want ${img.digest}`);
    }
  }
}
