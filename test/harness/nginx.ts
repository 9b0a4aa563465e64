// A real nginx (Debian's nginx) in front of a test registry, as most self-hosted registries
// run: distribution's own recipe (docs/recipes/nginx: client_max_body_size 0, chunked transfer,
// Host and X-Forwarded-Proto passed on, proxy_read_timeout 900), TLS with the test CA and http2,
// on a loopback port of its own, run as this user with its config, pid, logs and temp files in a
// scratch directory. A variant overrides the recipe's directives or adds nginx's own (its
// defaults, keepalive_requests, large_client_header_buffers, timeouts, http2 windows).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loggedFields, startFrontEnd, type RunningFrontEnd } from './front-end.js';
import type { RunningRegistry } from './registry.js';
import { reservePort } from './ports.js';
import { scratchDir } from './scratch.js';
import { testCerts } from './tls.js';

/** Directives by name, the value as nginx reads it ('1m', '4 1k', 'off'). */
export type Directives = Record<string, string>;

export interface NginxOptions {
  /** http-level directives (http2_recv_buffer_size). */
  http?: Directives;
  /** Server-level directives over the recipe's (client_max_body_size, keepalive_requests, http2_*). */
  server?: Directives;
  /** Directives of the /v2/ location over the recipe's (proxy_read_timeout, proxy_request_buffering). */
  location?: Directives;
  /** Offer h2 by ALPN (the recipe's `listen … ssl http2`); default true. */
  http2?: boolean;
  /** Blocks added to the server as they are (a location an error_page sends to). */
  blocks?: string;
  /** Tell the registry it ended TLS (`X-Forwarded-Proto $scheme`); default true. false: its locations say http://. */
  forwardedProto?: boolean;
}

/** One request as nginx logged it: which connection carried it, and its number on it. */
export interface LoggedRequest { method: string; uri: string; status: number; connection: number; onConnection: number; protocol: string }

export interface RunningNginx extends RunningFrontEnd {
  /** Every request nginx finished so far, in order. */
  requests(): Promise<LoggedRequest[]>;
}

/**
 * A maintenance page sent as 200 in place of every answer nginx could not get from the registry
 * (`error_page 502 503 504 =200`): the registry stopped, every path is answered with this HTML.
 */
export function maintenancePage(title = 'Down for maintenance'): NginxOptions {
  return {
    server: { error_page: '502 503 504 =200 /maintenance.html' },
    blocks: `    location = /maintenance.html { internal; default_type text/html; return 200 '<html><head><title>${title}</title></head><body><h1>We will be back soon</h1></body></html>'; }`,
  };
}

/** nginx in front of `upstream` (a plain-http registry, as the recipe has it), ready to answer. */
export async function startNginx(upstream: RunningRegistry, opts: NginxOptions = {}): Promise<RunningNginx> {
  if (upstream.caFile) throw new Error('startNginx: the recipe puts nginx in front of a plain-http registry');
  const dir = await scratchDir('nginx');
  const certs = await testCerts();
  const port = await reservePort();
  const server = { client_max_body_size: '0', chunked_transfer_encoding: 'on', ...opts.server };
  const location = { proxy_read_timeout: '900', ...opts.location };
  const lines = (d: Directives, indent: string) => Object.entries(d).map(([k, v]) => `${indent}${k} ${v};`).join('\n');
  const log = join(dir, 'access.log');
  await writeFile(join(dir, 'nginx.conf'), `daemon off;
master_process off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} info;
events { worker_connections 512; }
http {
  log_format requests '$request_method $request_uri $status $connection $connection_requests $server_protocol';
  access_log ${log} requests;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
${lines(opts.http ?? {}, '  ')}
  map $upstream_http_docker_distribution_api_version $docker_distribution_api_version { '' 'registry/2.0'; }
  upstream docker-registry { server ${new URL(upstream.url).host}; }
  server {
    listen 127.0.0.1:${port} ssl${opts.http2 === false ? '' : ' http2'};
    ssl_certificate ${certs.servers.good.cert};
    ssl_certificate_key ${certs.servers.good.key};
${lines(server, '    ')}
    location /v2/ {
      add_header Docker-Distribution-Api-Version $docker_distribution_api_version always;
      proxy_pass http://docker-registry;
      proxy_set_header Host $http_host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
${opts.forwardedProto === false ? '' : '      proxy_set_header X-Forwarded-Proto $scheme;\n'}${lines(location, '      ')}
    }
${opts.blocks ?? ''}
  }
}
`);
  const front = await startFrontEnd({ name: 'nginx', args: ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], port, errorLog: join(dir, 'error.log') });
  return {
    ...front,
    async requests() {
      return (await loggedFields(log)).map(([method, uri, status, connection, onConnection, protocol]) =>
        ({ method: method!, uri: uri!, status: Number(status), connection: Number(connection), onConnection: Number(onConnection), protocol: protocol! }));
    },
  };
}
