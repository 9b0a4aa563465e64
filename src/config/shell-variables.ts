// mirrors.yaml is read as it is: no environment variable is expanded in it. A newcomer writes one
// the way a shell, docker-compose or a CI workflow would (`usernameEnv: $QUAY_USER`, `caFile:
// $HOME/ca.pem`, `endpoint: ${REGISTRY_URL}`) and was told "must be an environment variable name",
// "no such file /dir/$HOME/ca.pem", or "no scheme; write https://${REGISTRY_URL}"; a `${VAR}`
// inside an https:// endpoint even passed as a host name (newuser2 hunt). Said here, before the
// shape is checked, with what to write instead.
import type { ConfigError } from '../types/errors.js';
import { formatPath, type Locator, type PathSegment } from './positions.js';

// `${{ secrets.X }}` (GitHub Actions), `${VAR}`, `${VAR:-default}`, `$VAR`, `%VAR%`.
const ACTIONS = /\$\{\{\s*(?:secrets|env|vars|inputs)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/;
const SHELL = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:[:?+-][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)|%([A-Za-z_][A-Za-z0-9_]*)%/;

const NAME_KEYS = new Set(['usernameEnv', 'passwordEnv', 'tokenEnv']);
const PATH_KEYS = new Set(['caFile', 'checksums', 'events']);
const REFERENCE_KEYS = new Set(['source', 'targets', 'path']);

/** The first value that holds a variable to expand where a name, path, URL or reference belongs. */
export function findShellVariable(data: unknown, loc: Locator): ConfigError | undefined {
  const walk = (node: unknown, path: PathSegment[], key: string | undefined): ConfigError | undefined => {
    if (typeof node === 'string') return key === undefined ? undefined : problem(node, path, key, loc);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const found = walk(node[i], [...path, i], key);
        if (found) return found;
      }
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        const found = walk(v, [...path, k], k);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(data, [], undefined);
}

function problem(value: string, path: PathSegment[], key: string, loc: Locator): ConfigError | undefined {
  const where = formatPath(path);
  const actions = ACTIONS.exec(value);
  const shell = actions ? undefined : SHELL.exec(value);
  const name = actions?.[1] ?? shell?.slice(1).find(Boolean);
  if (!name) return undefined;
  if (NAME_KEYS.has(key)) {
    if (actions) return loc.errorAt(path, `${where}: \`\${{ … }}\` is expanded by GitHub Actions in the workflow file only: give the secret to the step as an environment variable (env: ${name}: \${{ secrets.${name} }}) and write ${key}: ${name} here`);
    return loc.errorAt(path, `${where}: write the variable's name alone, ${key}: ${name} (regmirror reads the variable itself; mirrors.yaml expands no $ or \${…})`);
  }
  const said = `${where}: mirrors.yaml expands no environment variables (${actions ? '${{ … }}' : shell![0]} stays as written)`;
  if (PATH_KEYS.has(key)) return loc.errorAt(path, `${said}: write the path itself (~/ for the home directory; a relative path resolves against this file's directory)`);
  if (key === 'endpoint') {
    const host = path[0] === 'registries' ? String(path[1]) : 'HOST';
    const flag = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '$$$1');
    return loc.errorAt(path, `${said}: write the URL itself, or give it on the command line, where the shell expands it: --endpoint ${host}=${flag}`);
  }
  if (REFERENCE_KEYS.has(key)) return loc.errorAt(path, `${said}: write the repository itself, or send its host elsewhere on the command line (--endpoint HOST=$${name})`);
  return undefined;
}
