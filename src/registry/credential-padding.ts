// White space at an end of a username or password, said in the line that reports its refusal
// (newuser2 hunt: a password copied from a web page with its trailing spaces was only "refused").
import type { Credential } from './credentials.js';

/**
 * A note for a refusal of a username or password with white space at an end, said without the
 * value: text copied from a web page keeps a trailing (often non-breaking) space, a file saved on
 * Windows a CR. Sent as given all the same, since a real password may end so.
 */
export function paddingNote(credential: Credential | undefined): string {
  if (!credential || !('username' in credential)) return '';
  const notes = ([['username', credential.username], ['password', credential.password]] as const)
    .map(([what, value]) => [what, padding(value)] as const)
    .filter(([, pad]) => pad)
    .map(([what, pad]) => `the ${what} sent ${pad}`);
  if (notes.length === 0) return '';
  return `; ${notes.join(' and ')}, as text copied from a web page or a file saved on Windows leaves: if the real ${notes.length === 1 ? 'one has' : 'ones have'} none, set ${notes.length === 1 ? 'it' : 'them'} without`;
}

// Each white space character by name, singular and plural; others by code point.
const BLANKS: Record<string, [string, string]> = {
  ' ': ['a space', 'spaces'], '\t': ['a tab', 'tabs'], '\r': ['a carriage return (CR)', 'carriage returns (CR)'],
  '\u00a0': ['a non-breaking space (U+00A0)', 'non-breaking spaces (U+00A0)'],
};

/** "ends in 2 spaces", "begins with a tab", or '' for a value with no white space at either end. */
function padding(value: string): string {
  const said = [['begins with', /^\s+/.exec(value)?.[0]], ['ends in', /\s+$/.exec(value)?.[0]]] as const;
  return said.filter(([, run]) => run && run !== value).map(([where, run]) => `${where} ${blanks(run!)}`).join(' and ');
}

function blanks(run: string): string {
  const counts = new Map<string, number>();
  for (const ch of run) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  return [...counts].map(([ch, n]) => {
    const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    const [one, many] = BLANKS[ch] ?? [`a ${code}`, `${code} characters`];
    return n === 1 ? one : `${n} ${many}`;
  }).join(' and ');
}
