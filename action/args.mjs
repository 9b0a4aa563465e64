// The action's `args` input as an argument list: split on whitespace, with '…' and "…" quoting
// and backslash escapes as a shell would, but nothing expanded (no variables, globs or commands).

/** Splits `text` into arguments; throws on an unclosed quote. */
export function splitArgs(text) {
  const args = [];
  let current = '';
  let started = false;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      started = true;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} quote`);
  if (started) args.push(current);
  return args;
}
