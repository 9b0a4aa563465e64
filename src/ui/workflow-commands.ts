// GitHub Actions workflow commands (`::error title=…::message`), escaped the way @actions/core
// escapes them: the runner reads every output line as a possible command, so text from a
// registry must never be able to end our line or start one of its own.

/** True when running as a GitHub Actions step. */
export function inGitHubActions(env: Record<string, string | undefined> = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/**
 * A command's message: `%`, CR and LF encoded, so it stays on one line; other control characters
 * (a registry's ESC sequences, BEL) as spaces, so they never reach the log viewer or a terminal.
 */
export function escapeData(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, ' ').replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A command's property value: as data, plus `:` and `,`, which end a property. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command line, newline-terminated: `::name k=v,k=v::message`. */
export function workflowCommand(name: string, properties: Record<string, string>, message: string): string {
  const props = Object.entries(properties).map(([k, v]) => `${k}=${escapeProperty(v)}`).join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}\n`;
}

/**
 * A `$GITHUB_OUTPUT` entry in the multi-line form (`name<<DELIM … DELIM`), with a delimiter the
 * value does not contain, so no value can add outputs of its own.
 */
export function outputEntry(name: string, value: string, delimiter: string): string {
  if (value.includes(delimiter)) throw new Error(`output ${name}: the value contains its delimiter`);
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** Starts a collapsible group in the job log (ended by groupEnd). */
export function groupStart(title: string): string {
  return `::group::${escapeData(title)}\n`;
}

/** Ends the group groupStart opened. */
export function groupEnd(): string {
  return '::endgroup::\n';
}
