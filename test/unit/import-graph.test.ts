/**
 * The shape of src/, held by a test: every import runs to a lower tier (the engines, one tier, never import each
 * other), no two modules import each other through any path, and node-rdkafka is touched only inside src/kafka/.
 * Read from the sources (static and dynamic imports).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');

/**
 * The building blocks in tiers, low to high: a directory of src/, or a file at its top, by name without .ts. A module
 * imports only from its own area or from an area of a lower tier, so no two areas can import each other (a tie) and
 * a new block's place says what it may use.
 */
const TIERS: string[][] = [
  ['errors', 'log', 'user-file', 'steady-clock', 'random', 'bootstrap', 'package-root', 'own-property'],
  ['option-checks', 'supervisor', 'awaitable-run', 'measure'],
  ['child-main', 'scenario', 'kafka', 'influx', 'local'],
  ['thresholds', 'registry', 'environment'],
  ['generate', 'report'],
  ['coord', 'run'],
  ['readers'],
  ['storm', 'pulse', 'verify'],
  ['serve'],
  ['cli', 'index'],
];
interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? sourceFiles(path.join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [path.join(dir, entry.name)]
          : [],
    );
}

const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?'([^']+)'|import\('([^']+)'\)/gm;

function importsOf(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => ({ specifier: m[2] ?? m[3], typeOnly: Boolean(m[1]) }));
}

const files = sourceFiles(SRC);
const relative = (file: string) => path.relative(SRC, file);
const areaOf = (file: string) => relative(file).split(path.sep)[0].replace(/\.ts$/, '');
const tierOf = (area: string) => TIERS.findIndex((tier) => tier.includes(area));

const imports: Import[] = files.flatMap((file) =>
  importsOf(file)
    .filter(({ specifier }) => specifier.startsWith('.'))
    .map(({ specifier, typeOnly }) => ({
      from: file,
      to: path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts'),
      typeOnly,
    })),
);

test('every area of src/ has a tier', () => {
  const areas = new Set(files.map(areaOf));
  for (const area of areas) assert.notEqual(tierOf(area), -1, `${area} is in no tier of this test`);
});

test('imports run to a lower tier only: no two areas of a tier (the engines among them) import each other', () => {
  const level: string[] = [];
  for (const { from, to } of imports) {
    const [a, b] = [areaOf(from), areaOf(to)];
    if (a !== b && tierOf(b) >= tierOf(a)) level.push(`${relative(from)} → ${relative(to)}`);
  }
  assert.deepEqual(level, []);
});

test('no area is reached back from an area it imports (the tiers admit no tie)', () => {
  const reach = new Map<string, Set<string>>();
  for (const { from, to } of imports) {
    const [a, b] = [areaOf(from), areaOf(to)];
    if (a !== b) reach.set(a, (reach.get(a) ?? new Set()).add(b));
  }
  const reaches = (a: string, target: string, seen = new Set<string>()): boolean => {
    for (const b of reach.get(a) ?? []) {
      if (b === target) return true;
      if (seen.has(b)) continue;
      seen.add(b);
      if (reaches(b, target, seen)) return true;
    }
    return false;
  };
  const ties = [...reach.keys()].filter((a) => reaches(a, a));
  assert.deepEqual(ties, []);
});

test('no import cycles between modules (type-only imports included)', () => {
  const edges = new Map<string, string[]>();
  for (const { from, to } of imports) edges.set(from, [...(edges.get(from) ?? []), to]);
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].map(relative).join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const next of edges.get(file) ?? []) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('node-rdkafka is imported only inside src/kafka/', () => {
  const outside = files.filter(
    (file) => areaOf(file) !== 'kafka' && importsOf(file).some(({ specifier }) => specifier === 'node-rdkafka'),
  );
  assert.deepEqual(outside.map(relative), []);
});
