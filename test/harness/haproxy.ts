// A real HAProxy (Debian's haproxy) in front of a test registry, as OpenShift's router fronts
// quay and many Harbor installs do: TLS terminated with the test CA (`bind … ssl crt … alpn
// h2,http/1.1`), the registry behind it in plain HTTP, on a loopback port of its own, run as this
// user in the foreground (-db), X-Forwarded-Proto set as OpenShift's router sets it, with its config and certificate in a scratch directory, killed
// after. A variant adds HAProxy's own lines to its sections (timeouts, maxconn, tune.*,
// http-request deny/return, http-response del-header, option forwardfor …).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loggedFields, startFrontEnd, type RunningFrontEnd } from './front-end.js';
import type { RunningRegistry } from './registry.js';
import { reservePort } from './ports.js';
import { scratchDir } from './scratch.js';
import { testCerts } from './tls.js';

export interface HaproxyOptions {
  /** Lines of the global section (tune.bufsize 4096, tune.h2.max-concurrent-streams 2). */
  global?: string[];
  /** Lines of the defaults section, after the harness's timeouts (later lines win: timeout server 1s). */
  defaults?: string[];
  /** Lines of the frontend (http-request deny if …, option forwardfor, http-response del-header …). */
  frontend?: string[];
  /** Lines of the backend (http-reuse never, timeout queue 1s). */
  backend?: string[];
  /** Settings of the backend's one server line (maxconn 1). */
  server?: string;
  /** The ALPN offered; default h2,http/1.1. */
  alpn?: string;
  /** Tell the registry its clients came over https (X-Forwarded-Proto, as OpenShift's router does); default true. */
  forwardedProto?: boolean;
}

/** One request as HAProxy logged it: its termination state (`--` when it ended normally, `sH` a server timeout …). */
export interface LoggedRequest { method: string; uri: string; status: number; termination: string; protocol: string }

export interface RunningHaproxy extends RunningFrontEnd {
  /** Every request HAProxy finished so far, in order. */
  requests(): Promise<LoggedRequest[]>;
}

/** HAProxy in front of `upstream` (a plain-http registry), ready to answer. */
export async function startHaproxy(upstream: RunningRegistry, opts: HaproxyOptions = {}): Promise<RunningHaproxy> {
  if (upstream.caFile) throw new Error('startHaproxy: HAProxy terminates TLS in front of a plain-http registry');
  const dir = await scratchDir('haproxy');
  const certs = await testCerts();
  const port = await reservePort();
  // HAProxy reads the certificate and its key from one file.
  const pem = join(dir, 'server.pem');
  await writeFile(pem, Buffer.concat([await readFile(certs.servers.good.cert), await readFile(certs.servers.good.key)]));
  const lines = (section: string[] | undefined) => (section ?? []).map((line) => `  ${line}`).join('\n');
  await writeFile(join(dir, 'haproxy.cfg'), `global
  log stdout format raw local0
${lines(opts.global)}
defaults
  mode http
  log global
  log-format "%HM %HU %ST %tsc %HV"
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-request 30s
${lines(opts.defaults)}
frontend registry
  bind 127.0.0.1:${port} ssl crt ${pem} alpn ${opts.alpn ?? 'h2,http/1.1'}
${opts.forwardedProto === false ? '' : '  http-request set-header X-Forwarded-Proto https if { ssl_fc }\n'}${lines(opts.frontend)}
  default_backend registry
backend registry
${lines(opts.backend)}
  server registry ${new URL(upstream.url).host} ${opts.server ?? ''}
`);
  const log = join(dir, 'haproxy.log');
  const front = await startFrontEnd({ name: 'haproxy', args: ['-db', '-f', join(dir, 'haproxy.cfg')], port, errorLog: log, stdoutToLog: true });
  return {
    ...front,
    async requests() {
      return (await loggedFields(log, (line) => /^[A-Z]+ \S+ -?\d+ /.test(line))).map(([method, uri, status, termination, protocol]) =>
        ({ method: method!, uri: uri!, status: Number(status), termination: termination!, protocol: protocol! }));
    },
  };
}
