// The demo's last words: where its files are, and how to run regmirror on a real mirrors.yaml.
import { relative } from 'node:path';
import { ROOT } from './run.mjs';
import { bold } from './ui.mjs';

/** The closing text, given the run's duration, the demo directory and the files it wrote. */
export function nextSteps(seconds, demoDir, files) {
  const rel = (path) => relative(ROOT, path);
  const kept = [
    [files.config, 'the demo config'],
    [files.html, 'the drift report: open it in a browser'],
    [files.verifyJson, 'the same, as JSON'],
    [files.syncReport, 'what the first sync did'],
    [`${files.layouts}/`, 'the staged OCI layouts (a valid source: oci:DIR/<name>)'],
  ].map(([path, what]) => `  ${rel(path).padEnd(20)} ${what}`).join('\n');
  const cmd = (args, what) => `  ${bold(`node bin/regmirror.js ${args}`)}${what ? `${' '.repeat(Math.max(2, 44 - args.length))}${what}` : ''}`;
  return `Done in ${seconds}s. The registries go away with the demo; its files stay in ${rel(demoDir)}/:
${kept}

With your own mirrors.yaml (start from ./mirrors.yaml; \`regmirror schema\` describes every key):
${cmd('validate -c mirrors.yaml', 'what it selects (no network)')}
${cmd('plan -c mirrors.yaml', 'what sync would copy; writes nothing')}
${cmd('sync -c mirrors.yaml --tag v1.16.0', 'copy one release everywhere, then check it')}
${cmd('verify -c mirrors.yaml --format html -o report.html')}
Credentials: env var names in mirrors.yaml (credentials: { usernameEnv: QUAY_USER, passwordEnv: QUAY_TOKEN }),
then your Docker config (~/.docker/config.json and its credential helpers) or podman's auth.json, then anonymous.
To try a real config against a local registry first: --endpoint quay.io=http://127.0.0.1:5000
For a plain \`regmirror\` command: \`npm link\` in this directory, or \`npx regmirror …\` inside it.`;
}
