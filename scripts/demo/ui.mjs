// The demo's own output: section headings, the command about to run, short notes. Colour only on
// a terminal and without NO_COLOR, so a log file of the demo stays plain text.
const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (text) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);

export const bold = paint('1');
export const dim = paint('2');
export const cyan = paint('36');
export const green = paint('32');
export const red = paint('31');

let section = 0;
// True right after a heading, whose blank line already separates what follows.
let fresh = false;

/** A numbered section heading. */
export function heading(title) {
  section += 1;
  process.stdout.write(`\n${bold(`── ${section}. ${title} ${'─'.repeat(Math.max(3, 72 - title.length))}`)}\n\n`);
  fresh = true;
}

/** Explanatory text, indented like prose under the heading. */
export function note(text) {
  process.stdout.write(`${text.replace(/^(?=.)/gm, '  ')}\n`);
  fresh = false;
}

/** The command line a user would type, shown just before it runs. */
export function showCommand(line) {
  process.stdout.write(`${fresh ? '' : '\n'}${cyan(`$ ${line}`)}\n`);
  fresh = false;
}

/** One check the demo made of a result. */
export function check(text) {
  process.stdout.write(`${green('  ✓')} ${text}\n`);
  fresh = false;
}

/** Why the demo stopped: what was expected and what happened. */
export function fail(text) {
  process.stderr.write(`\n${red('demo failed:')} ${text}\n`);
}
