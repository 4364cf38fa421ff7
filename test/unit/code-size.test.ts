/**
 * Functions short enough to read at once, classes small enough to hold in mind: no function or method in src/ is
 * over 80 lines and no class over 200, blank and comment lines counted (Biome's own measure counts neither). Read
 * with TypeScript's parser, so arrow functions, methods, accessors and constructors all count.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');
const MAX_FUNCTION_LINES = 80;
const MAX_CLASS_LINES = 200;

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
}

interface Sized {
  where: string;
  kind: 'function' | 'class';
  lines: number;
}

function measure(file: string): Sized[] {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const out: Sized[] = [];
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: ts.Node) => {
    const isClass = ts.isClassDeclaration(node) || ts.isClassExpression(node);
    if (isClass || ts.isFunctionLike(node)) {
      const body = isClass || ('body' in node && node.body);
      if (body) {
        const lines = lineOf(node.getEnd()) - lineOf(node.getStart(source)) + 1;
        const name = (node as { name?: ts.Node }).name?.getText(source) ?? '(anonymous)';
        const where = `${path.relative(SRC, file)}:${lineOf(node.getStart(source)) + 1} ${name}`;
        out.push({ where, kind: isClass ? 'class' : 'function', lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const sized = sourceFiles(SRC).flatMap(measure);

test(`no function or method in src/ is over ${MAX_FUNCTION_LINES} lines`, () => {
  const long = sized.filter((s) => s.kind === 'function' && s.lines > MAX_FUNCTION_LINES);
  assert.deepEqual(
    long.map((s) => `${s.where}: ${s.lines} lines`),
    [],
  );
  assert.ok(sized.filter((s) => s.kind === 'function').length > 500, 'the functions of src/ were found');
});

test(`no class in src/ is over ${MAX_CLASS_LINES} lines`, () => {
  const large = sized.filter((s) => s.kind === 'class' && s.lines > MAX_CLASS_LINES);
  assert.deepEqual(
    large.map((s) => `${s.where}: ${s.lines} lines`),
    [],
  );
  assert.ok(sized.filter((s) => s.kind === 'class').length > 30, 'the classes of src/ were found');
});
