// A 400 from a plain-HTTP request that may be a TLS port saying so (Go's net/http, nginx). Apart
// from tls-errors.ts's verdicts, which send only such answers here and await nothing for the rest.
import { Readable } from 'node:stream';
import { MisplacedLocationError, TlsError } from '../../types/errors.js';
import { discard, readPrefix } from './body.js';
import { MAX_ERROR_BODY } from './errors.js';
import { displayUrl, header, type HttpRequest, type HttpResponse, type Send } from './types.js';
import { downgraded } from './unreachable.js';
import { speaksTls, type PlainEntry } from './tls-remedies.js';

/** What a TLS server answers a plain-HTTP request with (Go's net/http, nginx). */
const HTTPS_ONLY = /client sent an http request to an https server|plain http request was sent to https port/i;

/**
 * A 400 to a plain-HTTP request that says the port speaks HTTPS becomes a TlsError (`speaks-tls`);
 * any other 400 goes on as it came (its body, read here, handed on from memory). Only such answers
 * come here: every other one passes withTlsVerdicts without a further await.
 */
export async function httpsOnly(res: HttpResponse, req: HttpRequest, entryFor: (url: URL) => PlainEntry, next: Send): Promise<HttpResponse> {
  if (req.method === 'HEAD') {
    if (!(await headSpeaksHttps(req, next))) return res;
  } else {
    const text = await readPrefix(res.body, MAX_ERROR_BODY);
    if (!HTTPS_ONLY.test(text.toString('latin1'))) return { ...res, body: Readable.from([text], { objectMode: false }) };
  }
  const entry = entryFor(req.url);
  // A location on http:// that the registry gave, reached over https:// (a front end ending TLS
  // that does not say so): its entry is right, and 'set tls: verify' there changed nothing.
  if (entry.downgraded) throw new MisplacedLocationError(entry.host, `${entry.host}: ${req.method} ${displayUrl(req.url)}: that port speaks HTTPS and was asked in plain HTTP${downgraded(entry.host, req.url)}`);
  throw new TlsError(entry.host, 'speaks-tls', `${entry.host}: ${speaksTls(entry)}`);
}

/**
 * A HEAD's 400 has no body to tell by (publish and the gateway's probes begin with a HEAD of a
 * manifest, and used to end on a bare "400 Bad Request"): a GET of /v2/ on that origin says it.
 */
async function headSpeaksHttps(req: HttpRequest, next: Send): Promise<boolean> {
  const res = await next({ method: 'GET', url: new URL('/v2/', req.url), scopes: [], signal: req.signal, noRetry: true });
  if (res.status !== 400) {
    discard(res.body, header(res, 'content-length'));
    return false;
  }
  return HTTPS_ONLY.test((await readPrefix(res.body, MAX_ERROR_BODY)).toString('latin1'));
}
