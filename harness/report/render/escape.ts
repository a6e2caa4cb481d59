/** Escaping for the text formats: HTML/XML text and attributes, Markdown table cells. */

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text and attribute values alike. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

/**
 * XML 1.0 also forbids most control characters outright, even escaped: a client that
 * printed one must not make junit.xml unreadable.
 */
export const escapeXml = (text: string): string =>
  escapeHtml(text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD'));

/** A Markdown table cell: one line, pipes escaped. */
export const mdCell = (text: string): string => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

/** Protocol milliseconds as seconds with one decimal. */
export const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
