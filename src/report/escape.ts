// Escaping for the markup formats; every string from a report goes through one of these.

// Characters XML 1.0 forbids outright (C0 controls except tab, LF, CR; lone surrogates; U+FFFE/F).
const xmlForbidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text safe in XML/HTML element content and double- or single-quoted attributes. */
export function escapeXml(text: string): string {
  return text
    .replace(xmlForbidden, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** HTML uses the same five escapes (&apos; is valid HTML5). */
export const escapeHtml = escapeXml;

/** Text safe in one GitHub-flavoured Markdown table cell: no pipes, code spans, HTML, line breaks or terminal escapes. */
export function escapeMarkdownCell(text: string): string {
  return text
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/([*_[\]~])/g, '\\$1');
}
