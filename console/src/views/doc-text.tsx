/**
 * DocText shows a schema description as the reader should see it: the descriptions mark field
 * names and values with backticks (they are also the Pulumi and OpenAPI docs, which render
 * Markdown), so each backticked span becomes a <code> element and the backticks go. Everything
 * stays text; nothing is parsed as HTML.
 */

/** DocText renders one description. */
export function DocText({ text }: { text: string }) {
  const parts = text.split('`');
  // An odd number of backticks leaves one unpaired: show the text as it is.
  if (parts.length % 2 === 0) return <>{text}</>;
  return <>{parts.map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part))}</>;
}
