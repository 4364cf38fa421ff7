/**
 * Message keys (--keys none|round-robin[:N]|uniform:N|zipf:N:S|hot:P%[:N]): each message's key is a user id drawn
 * from a distribution over N keys, so partitions load as real traffic does (a few users make most tweets, and the
 * default partitioner puts every message of a key in one partition).
 *   none         no key: librdkafka spreads messages itself (the default);
 *   round-robin  keys 0, 1, …, N-1, 0, … (N = 1,000 unless given): even load;
 *   uniform:N    each key equally likely;
 *   zipf:N:S     key of rank k (1-based) with probability (1/k^S) / Σ 1/j^S: the top key's share is 1/H(N,S);
 *   hot:P%       P% of messages on one hot key, the rest uniform over N keys (1,000 unless given).
 * Drawn per message in O(1) (Vose's alias table, built at start); keys are pre-encoded once, a message carries an
 * index.
 */
import { type Rng, Sfc32 } from '../random.js';

export type KeySpec =
  | { kind: 'none' }
  | { kind: 'round-robin'; n: number }
  | { kind: 'uniform'; n: number }
  | { kind: 'zipf'; n: number; s: number }
  | { kind: 'hot'; n: number; hotShare: number };

export const KEYS_FORMAT = 'none, round-robin[:N], uniform:N, zipf:N:S or hot:P%[:N]';
export const DEFAULT_KEY_COUNT = 1000;
/** Keys are pre-encoded at start; a million is plenty and keeps the table small (about 12 MB). */
export const MAX_KEYS = 1_000_000;

export function parseKeys(spec: string, flag = '--keys'): { keys?: KeySpec; problems: string[] } {
  const p = spec.split(':').map((s) => s.trim());
  const fail = (why: string) => ({ problems: [`${flag} must be ${KEYS_FORMAT}${why} (got '${spec}')`] });
  const count = (v: string | undefined): number | undefined => {
    if (v === undefined) return DEFAULT_KEY_COUNT;
    const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
    return n >= 1 && n <= MAX_KEYS ? n : undefined;
  };
  const nRange = `; N a whole number from 1 to ${MAX_KEYS.toLocaleString('en-US')}`;
  switch (p[0]) {
    case 'none':
      return p.length === 1 ? { keys: { kind: 'none' }, problems: [] } : fail('');
    case 'round-robin':
    case 'uniform': {
      if (p.length > 2 || (p[0] === 'uniform' && p.length !== 2)) return fail('');
      const n = count(p[1]);
      return n === undefined ? fail(nRange) : { keys: { kind: p[0], n }, problems: [] };
    }
    case 'zipf': {
      const n = count(p[1]);
      const s = p[2] !== undefined && /^\d+(\.\d+)?$/.test(p[2]) ? Number(p[2]) : Number.NaN;
      if (p.length !== 3) return fail('');
      if (n === undefined) return fail(nRange);
      if (!(s > 0 && s <= 10)) return fail('; S an exponent above 0, up to 10 (1.2 is typical)');
      return { keys: { kind: 'zipf', n, s }, problems: [] };
    }
    case 'hot': {
      const m = p[1] === undefined ? null : /^(\d+(?:\.\d+)?)%$/.exec(p[1]);
      const n = count(p[2]);
      if (p.length > 3 || !m || Number(m[1]) <= 0 || Number(m[1]) > 100)
        return fail('; P a percentage above 0, up to 100%');
      if (n === undefined || n < 2) return fail('; N a whole number from 2 (the hot key and the others)');
      return { keys: { kind: 'hot', n, hotShare: Number(m[1]) / 100 }, problems: [] };
    }
    default:
      return fail('');
  }
}

export function describeKeys(k: KeySpec): string {
  const n = (x: number) => x.toLocaleString('en-US');
  switch (k.kind) {
    case 'none':
      return 'no keys';
    case 'round-robin':
      return `keys round-robin over ${n(k.n)} users`;
    case 'uniform':
      return `keys uniform over ${n(k.n)} users`;
    case 'zipf':
      return `keys zipf over ${n(k.n)} users, s=${k.s} (top key ${(100 * keyShares(k)[0]).toFixed(1)}%)`;
    case 'hot':
      return `keys: ${k.hotShare * 100}% on one hot user, the rest uniform over ${n(k.n - 1)}`;
  }
}

/** The probability of each key (index 0 first); what the draws converge to. */
export function keyShares(k: KeySpec): Float64Array {
  if (k.kind === 'none') return new Float64Array(0);
  const w = new Float64Array(k.n);
  if (k.kind === 'zipf') {
    let h = 0;
    for (let i = 0; i < k.n; i++) h += w[i] = 1 / (i + 1) ** k.s;
    for (let i = 0; i < k.n; i++) w[i] /= h;
  } else if (k.kind === 'hot') {
    w.fill((1 - k.hotShare) / (k.n - 1));
    w[0] = k.hotShare;
  } else w.fill(1 / k.n);
  return w;
}

/** The key text of index i: what the topic's records carry. */
export const keyText = (i: number) => `user${i}`;

/**
 * Draws key indexes. Built once per child; `next()` is O(1): round-robin counts, the others use Vose's alias method
 * (one uniform column, one biased coin). The shares are promised, so the draws are sfc32's, seeded from the child's
 * Rng: drawn from Rng itself, zipf:1000:1.2's top key (23.1%) came out anywhere from 20.7% to 27.2% by the seed (a
 * child's pid), over 100,000 draws each.
 */
export class KeyPicker {
  private readonly prob: Float64Array;
  private readonly alias: Uint32Array;
  private readonly draws: Sfc32;
  private cursor: number;
  constructor(
    readonly spec: Exclude<KeySpec, { kind: 'none' }>,
    rng: Rng,
  ) {
    const n = spec.n;
    this.draws = new Sfc32(rng.u32());
    this.cursor = this.draws.int(n);
    this.prob = new Float64Array(n);
    this.alias = new Uint32Array(n);
    if (spec.kind === 'round-robin') return;
    const scaled = keyShares(spec).map((p) => p * n);
    const small: number[] = [],
      large: number[] = [];
    for (let i = 0; i < n; i++) (scaled[i] < 1 ? small : large).push(i);
    while (small.length && large.length) {
      const s = small.pop() as number,
        l = large[large.length - 1];
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] += scaled[s] - 1;
      if (scaled[l] < 1) small.push(large.pop() as number);
    }
    for (const i of [...small, ...large]) this.prob[i] = 1;
  }

  next(): number {
    if (this.spec.kind === 'round-robin') {
      this.cursor = (this.cursor + 1) % this.spec.n;
      return this.cursor;
    }
    const column = this.draws.int(this.spec.n);
    return this.draws.next() < this.prob[column] ? column : this.alias[column];
  }
}

/** Every key's text, encoded once: one buffer and end offsets (key i is buf[ends[i-1] .. ends[i])). */
export function encodeKeys(n: number): { buf: Buffer; ends: Uint32Array } {
  const texts = Array.from({ length: n }, (_, i) => keyText(i));
  const buf = Buffer.from(texts.join(''));
  const ends = new Uint32Array(n);
  let off = 0;
  for (let i = 0; i < n; i++) {
    off += Buffer.byteLength(texts[i]);
    ends[i] = off;
  }
  return { buf, ends };
}
