// A token service (the realm of a registry's Bearer challenge) often lives on another host and
// port with a certificate of its own, and is reached with its registry's TLS settings. A refusal
// of its certificate used to read as the registry's own ("give that self-signed certificate itself
// as caFile under registries: HOST"), which sent users to replace a caFile that was right: say
// whose certificate it is, and that the registry's caFile must hold the realm's CA as well.
// A plain-http registry has no TLS settings (mirrors.yaml refuses a caFile beside tls: disabled):
// its realm over https is trusted as its own host, and the remedy names where that host's trust is.
import type { TlsProblem } from '../../types/errors.js';
import { clientUnfit, type CertsDir } from './certs-d.js';
import { datesSaid, type Lapsed } from './lapsed.js';

/** What Node's error says of the certificate: the name checked and the names it holds. */
export type RealmFailure = { host?: string; cert?: { subjectaltname?: string; subject?: { CN?: string } }; lapsed?: Lapsed[] };

/**
 * The remedy for a refused token-service certificate: `realm` is its origin, `host` the registries:
 * entry whose settings it uses; or, given `own` (the realm host's certs.d directories), the realm's
 * own: `byEntry` when that is its own entry under registries:, else for a plain-http registry.
 */
export function realmRemedy(host: string, realm: string, problem: TlsProblem, code: string, failure: RealmFailure, own?: CertsDir, lent: { caFile: boolean; certs?: CertsDir } = { caFile: true }, byEntry = false): string {
  const realmHost = new URL(realm).host;
  const whose = byEntry ? `its token service ${realm} (reached with the TLS settings under registries: ${realmHost}, its own entry)`
    : own ? `its token service ${realm} (trusted as its own host: ${host} is plain HTTP)` : `its token service ${realm} (reached with the TLS settings under registries: ${host})`;
  const insecure = `or set \`tls: insecure\` ${own ? `under registries: ${realmHost}` : 'there'} to skip verification`;
  switch (problem) {
    case 'untrusted': {
      const what = code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ? 'that self-signed certificate itself' : 'the CA that signed it';
      if (byEntry) return `${whose} has a TLS certificate that is not trusted (${code}): add ${what} to the \`caFile\` there, ${insecure}`;
      if (own) return `${whose} has a TLS certificate that is not trusted (${code}): add ${what} to this machine's store (update-ca-certificates, SSL_CERT_FILE), as ca.crt in ${own.found ?? own.looked[0]}, or as \`caFile\` under registries: ${realmHost}; ${insecure}`;
      // The registry's own CA may be in its certs.d directory, or in this machine's store: the realm's goes where it is.
      if (!lent.caFile && lent.certs?.found) return `${whose} has a TLS certificate that is not trusted (${code}): add ${what} as a .crt file in ${lent.certs.found}, beside the registry's own CA there (skopeo and podman read it there too), ${insecure}`;
      if (!lent.caFile) return `${whose} has a TLS certificate that is not trusted (${code}): give ${what} as \`caFile\` there (a caFile adds to this machine's CAs, by which the registry is trusted now), ${insecure}`;
      // Or the realm host's own entry (host-trust.ts realmEntry), which serves every registry that names it.
      return `${whose} has a TLS certificate that is not trusted (${code}): add ${what} to the \`caFile\` there, beside the registry's own CA (or give it as \`caFile\` under registries: ${realmHost}, an entry of the token service's own), ${insecure}`;
    }
    case 'wrong-name': {
      const names = failure.cert?.subjectaltname ?? (failure.cert?.subject?.CN ? `CN=${failure.cert.subject.CN}` : undefined);
      return `${whose} has a TLS certificate that does not match the name ${failure.host ?? new URL(realm).hostname} (${code}${names ? `; the certificate is for ${names}` : ''}): the registry's token service must be fixed, ${insecure}`;
    }
    case 'expired':
      return code === 'CERT_NOT_YET_VALID'
        ? `${whose} has a TLS certificate that is not valid yet (${code}${datesSaid(failure.lapsed, 'from')}): check this machine's clock, which may be behind, ${insecure}`
        : `${whose} has a TLS certificate that has expired (${code}${datesSaid(failure.lapsed, 'until')}): the token service must renew it, ${insecure}`;
    case 'client-cert': {
      // The realm is shown the client certificate of the certs.d directory whose trust it is
      // reached with (host-trust.ts lends): 'does not present' sent people to add one it had.
      const dir = own ?? lent.certs;
      if (!dir?.client) return `${whose} refused the TLS handshake (${code}): it asks for a client certificate (mutual TLS), which regmirror does not present`;
      return `${whose} refused the TLS handshake (${code}) and ${dir.client}, which regmirror presented to it${clientUnfit(dir.clientFacts) ?? `: the token service must accept that certificate as well as the registry does, or ${dir.found ?? 'that directory'} must hold one both accept, with its key`}`;
    }
    default:
      return `${whose} does not speak TLS as asked (${code}): check the realm the registry names in its challenge`;
  }
}
