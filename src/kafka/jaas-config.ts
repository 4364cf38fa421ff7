/**
 * sasl.jaas.config read as Kafka's Java client reads it (org.apache.kafka.common.security.JaasConfig of the 4.x
 * clients, over java.io.StreamTokenizer in its default syntax plus '-', '_' and '$' as word characters):
 * `<LoginModule> <flag> (<name>=<value>)* ;`. A bare word starts with a letter, '_' or '$' and goes on with those,
 * digits, '.' and '-'; anything starting with a digit, '.' or '-' is a number to the tokenizer, which Kafka refuses as
 * a value (quote it: password="123abc"). A string in double or single quotes takes StreamTokenizer's escapes and ends
 * at its quote or the end of the line. The flag is required, requisite, sufficient or optional in any case; options
 * come in any order, a name given twice keeps its last value; `//`, `/* … *\/` and a lone `/` start comments. A
 * client's value holds exactly one login module. Errors say what Kafka's say.
 */

export type ControlFlag = 'required' | 'requisite' | 'sufficient' | 'optional';

export interface JaasEntry {
  module: string;
  flag: ControlFlag;
  /** In the order given; a name given twice keeps its last value, as Kafka's HashMap does. */
  options: Map<string, string>;
}

export class JaasConfigError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'JaasConfigError';
  }
}

const EOF = -1;
const WORD = -3;
const NUMBER = -2;
/** The token kinds StreamTokenizer returns: EOF, a word, a number, a quoted string (its quote), or a character. */
interface Token {
  type: number;
  /** A word's or a quoted string's text; null for a number or an ordinary character, as StreamTokenizer's sval. */
  text: string | null;
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 160;
/** StreamTokenizer's numeric characters: digits, '.' and '-' ('-' a word character too, after the first). */
const isNumeric = (c: number) => (c >= 48 && c <= 57) || c === 46 || c === 45;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** How the tokenizer takes a token's first character. */
function kindOf(code: number): 'space' | 'number' | 'word' | 'quote' | 'comment' | 'ordinary' {
  if (code <= 32) return 'space';
  if (isNumeric(code)) return 'number';
  if (isLetter(code)) return 'word';
  if (code === 34 || code === 39) return 'quote';
  if (code === 47) return 'comment';
  return 'ordinary';
}

const QUOTE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

class Tokenizer {
  private at = 0;
  constructor(private readonly text: string) {}

  private peek(): number {
    return this.at < this.text.length ? this.text.charCodeAt(this.at) : EOF;
  }

  next(): Token {
    for (;;) {
      const c = this.peek();
      if (c === EOF) return { type: EOF, text: null };
      const kind = kindOf(c);
      if (kind === 'space') this.at++;
      else if (kind === 'number') return this.number();
      else if (kind === 'word') return this.word();
      else if (kind === 'quote') return this.quoted(c);
      else if (kind === 'comment') this.comment();
      else {
        this.at++;
        return { type: c, text: null };
      }
    }
  }

  private word(): Token {
    const start = this.at;
    for (let c = this.peek(); c !== EOF && (isLetter(c) || isNumeric(c)); c = this.peek()) this.at++;
    return { type: WORD, text: this.text.slice(start, this.at) };
  }

  /** A number has no text: a '-' not followed by a digit or '.' is an ordinary '-', else digits and one '.'. */
  private number(): Token {
    if (this.peek() === 45) {
      this.at++;
      const next = this.peek();
      if (next !== 46 && !isDigit(next)) return { type: 45, text: null };
    }
    let dot = false;
    for (let c = this.peek(); isDigit(c) || (c === 46 && !dot); c = this.peek()) {
      if (c === 46) dot = true;
      this.at++;
    }
    return { type: NUMBER, text: null };
  }

  /**
   * `/* … *\/`, `// …` and a lone `/`, a comment character: StreamTokenizer takes the character after a lone `/`
   * before it looks for the end of the line, so a `/` just before a line break comments out the next line too.
   */
  private comment(): void {
    this.at++;
    const second = this.peek();
    if (second !== EOF) this.at++;
    if (second === 42) {
      const end = this.text.indexOf('*/', this.at);
      this.at = end < 0 ? this.text.length : end + 2;
      return;
    }
    while (this.peek() !== EOF && this.peek() !== 10 && this.peek() !== 13) this.at++;
  }

  /** Up to the matching quote, or the end of the line or text; backslash escapes as StreamTokenizer reads them. */
  private quoted(quote: number): Token {
    this.at++;
    let out = '';
    for (let d = this.peek(); d !== EOF && d !== quote && d !== 10 && d !== 13; d = this.peek()) {
      this.at++;
      if (d !== 92) {
        out += String.fromCharCode(d);
        continue;
      }
      out += this.escaped();
    }
    if (this.peek() === quote) this.at++;
    return { type: quote, text: out };
  }

  /** After a backslash: an octal escape (up to \377), a letter escape, or the character itself (\uFFFF at the end). */
  private escaped(): string {
    const first = this.peek();
    if (first === EOF) return '\uffff';
    this.at++;
    if (first >= 48 && first <= 55) {
      let code = first - 48;
      let digits = 1;
      while (digits < (first <= 51 ? 3 : 2) && this.peek() >= 48 && this.peek() <= 55) {
        code = code * 8 + (this.peek() - 48);
        this.at++;
        digits++;
      }
      return String.fromCharCode(code);
    }
    const letter = String.fromCharCode(first);
    return String.fromCharCode(Object.hasOwn(QUOTE_ESCAPES, letter) ? QUOTE_ESCAPES[letter] : first);
  }
}

const FLAGS: readonly ControlFlag[] = ['required', 'requisite', 'sufficient', 'optional'];

function controlFlag(text: string | null): ControlFlag {
  if (text === null) throw new JaasConfigError('Login module control flag is not available in the JAAS config');
  const flag = FLAGS.find((f) => f === text.toLowerCase());
  if (!flag) throw new JaasConfigError(`Invalid login module control flag '${text}' in JAAS config`);
  return flag;
}

function entry(tokens: Tokenizer, first: Token): JaasEntry {
  const module = first.text ?? '';
  const flagToken = tokens.next();
  if (flagToken.type === EOF) throw new JaasConfigError('Login module control flag not specified in JAAS config');
  const flag = controlFlag(flagToken.text);
  const options = new Map<string, string>();
  let t = tokens.next();
  for (; t.type !== EOF && t.type !== 59; t = tokens.next()) {
    // Kafka would take an ordinary character here as a null name; no login module reads one.
    if (t.text === null)
      throw new JaasConfigError(`Option name expected in JAAS config, got '${String.fromCharCode(t.type)}'`);
    const key = t.text;
    const value = tokens.next().type === 61 ? tokens.next() : undefined;
    if (value === undefined || value.type === EOF || value.text === null)
      throw new JaasConfigError(`Value not specified for key '${key}' in JAAS config`);
    options.delete(key);
    options.set(key, value.text);
  }
  if (t.type !== 59) throw new JaasConfigError('JAAS config entry not terminated by semi-colon');
  if (module === '') throw new JaasConfigError('Login module name is empty in JAAS config');
  return { module, flag, options };
}

/** Every login module entry of a JAAS configuration value, as Kafka parses it; throws what Kafka would say. */
export function parseJaasEntries(text: string): JaasEntry[] {
  const tokens = new Tokenizer(text);
  const entries: JaasEntry[] = [];
  for (let t = tokens.next(); t.type !== EOF; t = tokens.next()) entries.push(entry(tokens, t));
  if (entries.length === 0) throw new JaasConfigError('Login module not specified in JAAS config');
  return entries;
}

/** A client's sasl.jaas.config: exactly one login module, as Kafka's JaasContext requires. */
export function parseClientJaas(text: string): JaasEntry {
  const entries = parseJaasEntries(text);
  if (entries.length !== 1)
    throw new JaasConfigError(`JAAS config property contains ${entries.length} login modules, should be 1 module`);
  return entries[0];
}
