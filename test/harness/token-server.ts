// A distribution-compatible token server (docs/spec/auth/token.md) for integration tests:
// basic credentials in, an RS256 JWT with an x5c header chaining to the registry's rootcertbundle out.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createPrivateKey, createSign, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';

/** Who may do what; mirrors the grants a real token service makes. */
export interface TokenPolicy {
  users: Record<string, string>;
  /** Users that only get `pull`. */
  readOnlyUsers?: string[];
  /** Users granted nothing outside these namespaces (a quay.io robot account belongs to one organisation). */
  namespacesOf?: Record<string, string[]>;
  /** Anonymous callers get `pull` (otherwise an empty grant, as Docker Hub does). */
  anonymousPull?: boolean;
  /** Refresh tokens (identity tokens) accepted by the POST grant, mapped to a user. */
  refreshTokens?: Record<string, string>;
  /** Lifetime of issued tokens in seconds (default 300). */
  expiresIn?: number;
}

/** A running token server; `issued` counts tokens handed out, `requests` every call. */
export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certPath: string;
  issued: number;
  requests: number;
  /** Scope strings asked for, in order (for asserting merged scopes). */
  scopesAsked: string[][];
  /** When each request arrived (Date.now()), for rate assertions. */
  requestTimes: number[];
  policy: TokenPolicy;
  mint(subject: string, scopes: string[]): string;
  stop(): Promise<void>;
}

/** Starts a token server whose key and certificate live in `dir`. */
export async function startTokenServer(dir: string, policy: TokenPolicy): Promise<TokenServer> {
  const keyPath = join(dir, 'token.key');
  const certPath = join(dir, 'token.crt');
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '2', '-subj', '/CN=regmirror-test-token'], { stdin: 'ignore' });
  const key = createPrivateKey(await readFile(keyPath));
  const der = new X509Certificate(await readFile(certPath)).raw.toString('base64');
  const service = 'regmirror-test';
  const issuer = 'regmirror-test-issuer';
  const state: TokenServer = {
    realm: '', service, issuer, certPath, issued: 0, requests: 0, scopesAsked: [], requestTimes: [], policy,
    mint: (subject, scopes) => signToken(key, der, issuer, service, subject, grant(policy, subject, scopes), policy.expiresIn ?? 300),
    stop: async () => {},
  };
  const server = createServer((req, res) => {
    void handle(state, key, der, req, res).catch(() => send(res, 500, { errors: [{ code: 'UNKNOWN' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref(); // a test that forgets stop() still exits
  state.realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  state.stop = () => closeServer(server);
  return state;
}

async function handle(state: TokenServer, key: KeyObject, der: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  state.requests++;
  state.requestTimes.push(Date.now());
  const url = new URL(req.url ?? '/', 'http://x');
  let subject: string | undefined;
  let scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
  if (req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (form.get('grant_type') === 'refresh_token') subject = state.policy.refreshTokens?.[form.get('refresh_token') ?? ''];
    else if (form.get('grant_type') === 'password') subject = checkPassword(state.policy, form.get('username'), form.get('password'));
    if (!subject) return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad grant' }] });
  } else {
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const [user, ...rest] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
      subject = checkPassword(state.policy, user, rest.join(':'));
      if (!subject) return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
    }
  }
  state.scopesAsked.push(scopes);
  const expiresIn = state.policy.expiresIn ?? 300;
  const token = signToken(key, der, state.issuer, state.service, subject ?? '', grant(state.policy, subject, scopes), expiresIn);
  state.issued++;
  send(res, 200, { token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() });
}

function checkPassword(policy: TokenPolicy, user: string | null | undefined, password: string | null | undefined): string | undefined {
  return user && policy.users[user] !== undefined && policy.users[user] === password ? user : undefined;
}

interface Access { type: string; name: string; actions: string[] }

function grant(policy: TokenPolicy, subject: string | undefined, scopes: string[]): Access[] {
  const allowed = !subject ? (policy.anonymousPull ? ['pull'] : [])
    : policy.readOnlyUsers?.includes(subject) ? ['pull'] : ['pull', 'push', 'delete', '*'];
  const out: Access[] = [];
  for (const scope of scopes) {
    const parts = scope.split(':');
    if (parts.length < 3) continue;
    const actions = parts.pop()!.split(',').filter((a) => allowed.includes(a));
    const [type, ...name] = parts;
    const only = subject ? policy.namespacesOf?.[subject] : undefined;
    if (only && !only.some((ns) => name.join(':').startsWith(`${ns}/`))) continue;
    if (actions.length) out.push({ type: type!, name: name.join(':'), actions });
  }
  return out;
}

function signToken(key: KeyObject, der: string, issuer: string, service: string, subject: string, access: Access[], expiresIn: number): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', x5c: [der] };
  const claims = { iss: issuer, sub: subject, aud: service, exp: now + expiresIn, nbf: now - 10, iat: now, jti: randomUUID(), access };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key);
  return `${input}.${b64url(signature)}`;
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString('utf8'))).on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
