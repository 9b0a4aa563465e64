// A release of two binaries entries (cmctl and the kubectl plugin) staged under DIR/dist with a
// checksums.txt beside it, and the `binaries:` section that publishes them: shared by the publish
// tests that watch what a registry does to one entry while the other lands.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const CMCTL = Buffer.from('cmctl linux amd64 release archive\n'.repeat(3000));
export const PLUGIN = Buffer.from('kubectl-cert_manager plugin archive\n'.repeat(500));
export const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Writes DIR/dist/{cmctl-linux-amd64,kubectl-cert_manager}.tar.gz and DIR/checksums.txt listing both. */
export async function stageTwoBinaries(dir: string): Promise<void> {
  await mkdir(join(dir, 'dist'));
  await writeFile(join(dir, 'dist', 'cmctl-linux-amd64.tar.gz'), CMCTL);
  await writeFile(join(dir, 'dist', 'kubectl-cert_manager.tar.gz'), PLUGIN);
  await writeFile(join(dir, 'checksums.txt'), `${hex(CMCTL)}  cmctl-linux-amd64.tar.gz\n${hex(PLUGIN)}  kubectl-cert_manager.tar.gz\n`);
}

/** The `binaries:` section for the staged release; cmctl's artifactType as given. */
export function twoBinariesYaml(dir: string, cmctlType = 'application/vnd.cert-manager.cmctl.v1'): string {
  const sums = join(dir, 'checksums.txt');
  return `binaries:
  - name: cmctl
    artifactType: ${cmctlType}
    files: ["cmctl-*.tar.gz"]
    checksums: ${sums}
  - name: kubectl-cert-manager
    artifactType: application/vnd.cert-manager.kubectl-plugin.v1
    files: ["kubectl-cert_manager.tar.gz"]
    checksums: ${sums}
`;
}
