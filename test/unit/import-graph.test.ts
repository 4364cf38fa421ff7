/**
 * The shape of src/, held by a test: every import runs downhill (a module imports only from its own layer or a lower
 * one; the engines never import each other, except where named below), no two modules import each other through any
 * path, and node-rdkafka is touched only inside src/kafka/. Read from the sources (static and dynamic imports).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');

/** Low to high. A directory of src/, or a file at its top, by name without .ts. */
const LAYERS: string[][] = [
  ['errors', 'log', 'user-file', 'steady-clock'],
  ['child-main', 'supervisor', 'awaitable-run'],
  [
    'kafka',
    'coord',
    'generate',
    'registry',
    'scenario',
    'thresholds',
    'report',
    'local',
    'option-checks',
    'environment',
  ],
  ['storm', 'pulse', 'verify'],
  ['serve'],
  ['cli', 'index'],
];
/** Engines one layer apart may still not import each other, but for these (importer → imported). */
const ENGINE_IMPORTS_ALLOWED = new Set<string>([]);
const ENGINES = new Set(['storm', 'pulse', 'verify']);

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
const layerOf = (area: string) => LAYERS.findIndex((layer) => layer.includes(area));

const imports: Import[] = files.flatMap((file) =>
  importsOf(file)
    .filter(({ specifier }) => specifier.startsWith('.'))
    .map(({ specifier, typeOnly }) => ({
      from: file,
      to: path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts'),
      typeOnly,
    })),
);

test('every area of src/ has a layer', () => {
  const areas = new Set(files.map(areaOf));
  for (const area of areas) assert.notEqual(layerOf(area), -1, `${area} is in no layer of this test`);
});

test('imports run downhill, and the engines do not import each other', () => {
  const uphill: string[] = [];
  for (const { from, to } of imports) {
    const [a, b] = [areaOf(from), areaOf(to)];
    if (a === b) continue;
    const across = ENGINES.has(a) && ENGINES.has(b) && !ENGINE_IMPORTS_ALLOWED.has(`${a}→${b}`);
    if (layerOf(b) > layerOf(a) || across) uphill.push(`${relative(from)} → ${relative(to)}`);
  }
  assert.deepEqual(uphill, []);
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
