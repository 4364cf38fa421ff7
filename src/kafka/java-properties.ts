/**
 * A Java .properties file read as java.util.Properties.load reads it: `key=value`, `key: value` or `key value`;
 * comment lines start with # or !; a backslash at the end of a line continues it (the next line's leading whitespace
 * dropped); \t \n \r \f \uXXXX escapes, any other escaped character stands for itself, and a malformed \u is an error.
 * What Kafka's own tools take as --producer.config / --command-config, so a user's client.properties works unchanged.
 * Kafka's tools load a file as bytes (Utils.loadProps), which Properties reads as ISO-8859-1: read files with
 * readJavaPropertiesFile to get the same characters.
 */
import fs from 'node:fs';

/** A file Java would refuse to load, with the line its entry starts on. */
export class JavaPropertiesError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'JavaPropertiesError';
  }
}

/** Keys and values in file order; a key given twice keeps its last value, as Java does; an empty key is a key. */
export function parseJavaProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const { text: line, number } of logicalLines(text)) {
    const { key, value } = splitEntry(line, number);
    properties.set(key, value);
  }
  return properties;
}

/** A properties file's bytes as Kafka's tools read them (ISO-8859-1), parsed. */
export function readJavaPropertiesFile(file: string): Map<string, string> {
  return parseJavaProperties(fs.readFileSync(file, 'latin1'));
}

/** Java's String.trim(): every character up to U+0020 off both ends (what Kafka's ConfigDef does to a value). */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 32) start++;
  while (end > start && s.charCodeAt(end - 1) <= 32) end--;
  return s.slice(start, end);
}

/** A LIST setting as Kafka's ConfigDef splits it: trimmed, then on commas with the whitespace around them. */
export const javaList = (s: string): string[] => {
  const trimmed = javaTrim(s);
  return trimmed === '' ? [] : trimmed.split(/[ \t\n\v\f\r]*,[ \t\n\v\f\r]*/);
};

/**
 * Lines joined across continuations, comments and blank lines left out, leading whitespace stripped. As in Java's
 * LineReader, a logical line with nothing in it yet is new: a continued line that has gathered nothing can still turn
 * out to be a comment or blank, and only the end of the file makes an empty entry of it.
 */
function logicalLines(text: string): { text: string; number: number }[] {
  const out: { text: string; number: number }[] = [];
  let pending: string | undefined;
  let start = 0;
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/^[ \t\f]+/, '');
    const gathered = pending ?? '';
    if (gathered === '') {
      if (line === '' || line.startsWith('#') || line.startsWith('!')) {
        pending = undefined;
        continue;
      }
      start = i + 1;
    }
    if (endsWithContinuation(line)) {
      pending = gathered + line.slice(0, -1);
      continue;
    }
    out.push({ text: gathered + line, number: start });
    pending = undefined;
  }
  if (pending !== undefined) out.push({ text: pending, number: start });
  return out;
}

/** An odd number of trailing backslashes: the last one continues the line. */
function endsWithContinuation(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function splitEntry(line: string, number: number): { key: string; value: string } {
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
  return { key: unescapeJava(key, number), value: unescapeJava(rest, number) };
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescapeJava(s: string, number: number): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\' || i + 1 === s.length) {
      out += s[i];
      continue;
    }
    const e = s[++i];
    if (e === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex))
        throw new JavaPropertiesError(number, `malformed \\uxxxx escape (\\u${hex}): Java refuses the file too`);
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else out += Object.hasOwn(ESCAPES, e) ? ESCAPES[e] : e;
  }
  return out;
}
