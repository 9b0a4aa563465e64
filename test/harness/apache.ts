// A real Apache httpd (Debian's apache2) in front of a test registry, as many corporate fronts
// are: distribution's own recipe (docs/recipes/apache: mod_proxy + mod_ssl, `ProxyPass /v2
// http://registry/v2` with ProxyPassReverse and ProxyPreserveHost, X-Forwarded-Proto https,
// Docker-Distribution-Api-Version always set), TLS with the test CA, `Protocols h2 http/1.1`
// (mod_http2), mod_reqtimeout loaded as Debian loads it, and Debian's apache2.conf settings
// (Timeout 300, KeepAlive On, MaxKeepAliveRequests 100, KeepAliveTimeout 5). It runs as this user
// in one process (-X) on a loopback port, its config, pid, logs and mutexes in a scratch directory,
// the modules it needs loaded from /usr/lib/apache2/modules. A variant adds Apache's own lines
// (LimitRequestBody, RequestReadTimeout, H2MaxSessionStreams …) and flags to the ProxyPass line.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loggedFields, startFrontEnd, type RunningFrontEnd } from './front-end.js';
import type { RunningRegistry } from './registry.js';
import { reservePort } from './ports.js';
import { scratchDir } from './scratch.js';
import { testCerts } from './tls.js';

export interface ApacheOptions {
  /** Lines of the virtual host, after the recipe's (LimitRequestBody 1048576, AllowEncodedSlashes NoDecode, H2MaxSessionStreams 2). */
  server?: string[];
  /** Flags after the recipe's `ProxyPass /v2 http://…/v2` (nocanon, timeout=5). */
  proxyPass?: string;
  /** Offer h2 by ALPN (`Protocols h2 http/1.1`); default true. */
  http2?: boolean;
}

/** One request as Apache logged it: the client port (one per connection) and its number on it. */
export interface LoggedRequest { method: string; uri: string; status: number; protocol: string; connection: number; keepalive: number }

export interface RunningApache extends RunningFrontEnd {
  /** Every request Apache finished so far, in order. */
  requests(): Promise<LoggedRequest[]>;
}

const MODULES = ['mpm_event', 'authz_core', 'headers', 'proxy', 'proxy_http', 'ssl', 'socache_shmcb', 'http2', 'reqtimeout'];

/** Apache in front of `upstream` (a plain-http registry, as the recipe has it), ready to answer. */
export async function startApache(upstream: RunningRegistry, opts: ApacheOptions = {}): Promise<RunningApache> {
  if (upstream.caFile) throw new Error('startApache: the recipe puts Apache in front of a plain-http registry');
  const dir = await scratchDir('apache');
  const certs = await testCerts();
  const port = await reservePort();
  const backend = `http://${new URL(upstream.url).host}/v2`;
  const log = join(dir, 'access.log');
  const errorLog = join(dir, 'error.log');
  await writeFile(join(dir, 'httpd.conf'), `ServerRoot ${dir}
ServerName 127.0.0.1
PidFile ${join(dir, 'httpd.pid')}
ErrorLog ${errorLog}
DefaultRuntimeDir ${dir}
Mutex file:${dir}
${MODULES.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`).join('\n')}
Timeout 300
KeepAlive On
MaxKeepAliveRequests 100
KeepAliveTimeout 5
LogFormat "%m %U%q %>s %H %{remote}p %k" requests
CustomLog ${log} requests
Listen 127.0.0.1:${port}
<VirtualHost 127.0.0.1:${port}>
  SSLEngine on
  SSLCertificateFile ${certs.servers.good.cert}
  SSLCertificateKeyFile ${certs.servers.good.key}
  Protocols ${opts.http2 === false ? '' : 'h2 '}http/1.1
  Header always set "Docker-Distribution-Api-Version" "registry/2.0"
  Header onsuccess set "Docker-Distribution-Api-Version" "registry/2.0"
  RequestHeader set X-Forwarded-Proto "https"
  ProxyRequests off
  ProxyPreserveHost on
  ProxyPass /error/ !
  ProxyPass /v2 ${backend}${opts.proxyPass ? ` ${opts.proxyPass}` : ''}
  ProxyPassReverse /v2 ${backend}
${(opts.server ?? []).map((line) => `  ${line}`).join('\n')}
</VirtualHost>
`);
  const front = await startFrontEnd({ name: 'apache2', args: ['-X', '-f', join(dir, 'httpd.conf')], port, errorLog });
  return {
    ...front,
    async requests() {
      return (await loggedFields(log)).map(([method, uri, status, protocol, connection, keepalive]) =>
        ({ method: method!, uri: uri!, status: Number(status), protocol: protocol!, connection: Number(connection), keepalive: Number(keepalive) }));
    },
  };
}
