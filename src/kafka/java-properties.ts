/**
 * A Java .properties file read as java.util.Properties.load reads it: `key=value`, `key: value` or `key value`;
 * comment lines start with # or !; a backslash at the end of a line continues it; \t \n \r \f \uXXXX and \x escapes.
 * What Kafka's own tools take as --producer.config / --command-config, so a user's client.properties works unchanged.
 */

/** Keys and values in file order; a key given twice keeps its last value, as Java does. */
export function parseJavaProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const { key, value } = splitEntry(line);
    if (key !== '') properties.set(key, value);
  }
  return properties;
}

/** Lines joined across continuations, comments and blank lines left out, leading whitespace stripped. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = pending ? raw.replace(/^[ \t\f]+/, '') : raw.replace(/^[ \t\f]+/, '');
    if (!pending && (line === '' || line.startsWith('#') || line.startsWith('!'))) continue;
    if (endsWithContinuation(line)) {
      pending += line.slice(0, -1);
      continue;
    }
    out.push(pending + line);
    pending = '';
  }
  if (pending) out.push(pending);
  return out;
}

/** An odd number of trailing backslashes: the last one continues the line. */
function endsWithContinuation(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function splitEntry(line: string): { key: string; value: string } {
  let i = 0;
  let key = '';
  for (; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      key += line[i] + line[++i];
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    key += c;
  }
  let rest = line.slice(i).replace(/^[ \t\f]*/, '');
  if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]*/, '');
  return { key: unescapeJava(key), value: unescapeJava(rest) };
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescapeJava(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) =>
    e.length === 5 ? String.fromCharCode(Number.parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? e),
  );
}
