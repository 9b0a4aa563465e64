// The test process's fetch() is undici's own (the package regmirror depends on), not Node's
// built-in one. Loading undici 7 installs its Agent as the global dispatcher, which Node 20's
// built-in fetch cannot drive ("invalid content-length header"); any test that loads regmirror's
// transport and seeds with fetch() would fail. Same API, one undici. Imported for its effect.
import { fetch as undiciFetch } from 'undici';

globalThis.fetch = undiciFetch as unknown as typeof fetch;
