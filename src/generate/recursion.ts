/**
 * Recursive schemas (a record that contains itself through a union, an array or a map) made finite. Every node gets
 * the height of its smallest value: how many levels the shortest way out takes (a union's best branch, an array or map
 * left empty when no length hint forbids it). Generation takes the shortest way out once a value is deep enough
 * (generate/value-bytes.ts); a record whose every value would contain itself without end has no height and is
 * refused, naming the fields that hold it in.
 */
import type { SchemaNode } from './schema-tree.js';

/** How deep a recursive type nests in one value unless --max-depth says otherwise. */
export const DEFAULT_MAX_DEPTH = 8;
/** The most copies of recursive types one value holds (a tree's nodes), whatever the depth: bounds its size. */
export const MAX_RECURSIVE_COPIES = 256;

export type Heights = Map<SchemaNode, number>;

/** Whether an array or map may be left empty: no length hint (DataStorm's own 8-16), or one allowing 0. */
export const mayBeEmpty = (node: SchemaNode): boolean => (node.hints.length?.min ?? 0) === 0;

/** Every node once, children before parents where the schema allows (recursion closes the loop). */
function postOrder(root: SchemaNode): SchemaNode[] {
  const seen = new Set<SchemaNode>();
  const out: SchemaNode[] = [];
  const stack: { node: SchemaNode; expanded: boolean }[] = [{ node: root, expanded: false }];
  while (stack.length) {
    const top = stack.pop() as { node: SchemaNode; expanded: boolean };
    if (top.expanded) {
      out.push(top.node);
      continue;
    }
    if (seen.has(top.node)) continue;
    seen.add(top.node);
    stack.push({ node: top.node, expanded: true });
    for (const child of childrenOf(top.node)) if (!seen.has(child)) stack.push({ node: child, expanded: false });
  }
  return out;
}

export function childrenOf(node: SchemaNode): SchemaNode[] {
  if (node.hints.options) return [];
  switch (node.kind) {
    case 'record':
      return node.fields.map((f) => f.node);
    case 'array':
      return [node.items];
    case 'map':
      return [node.values];
    case 'union':
      return node.branches;
    default:
      return [];
  }
}

function heightOf(node: SchemaNode, h: (n: SchemaNode) => number): number {
  if (node.hints.options) return 0;
  switch (node.kind) {
    case 'record':
      return 1 + node.fields.reduce((max, f) => Math.max(max, h(f.node)), 0);
    case 'union':
      return 1 + node.branches.reduce((min, b) => Math.min(min, h(b)), Number.POSITIVE_INFINITY);
    case 'array':
      return mayBeEmpty(node) ? 0 : 1 + h(node.items);
    case 'map':
      return mayBeEmpty(node) ? 0 : 1 + h(node.values);
    default:
      return 0;
  }
}

/** Each node's height (Infinity: no finite value), relaxed until nothing changes: at most once per node. */
export function heights(root: SchemaNode): Heights {
  const order = postOrder(root);
  const h: Heights = new Map(order.map((n) => [n, Number.POSITIVE_INFINITY]));
  const get = (n: SchemaNode) => h.get(n) ?? Number.POSITIVE_INFINITY;
  for (let pass = 0, changed = true; changed && pass <= order.length; pass++) {
    changed = false;
    for (const node of order) {
      const next = heightOf(node, get);
      if (next < get(node)) {
        h.set(node, next);
        changed = true;
      }
    }
  }
  return h;
}

/** Why the root has no finite value: each record without one and its fields that hold it in, one line each. */
export function endlessProblems(root: SchemaNode, h: Heights): string[] {
  if (Number.isFinite(h.get(root))) return [];
  const problems: string[] = [];
  for (const node of postOrder(root)) {
    if (node.kind !== 'record' || Number.isFinite(h.get(node)) || node.hints.options) continue;
    const endless = node.fields.filter((f) => !Number.isFinite(h.get(f.node))).map((f) => f.name);
    const fields =
      endless.length > 1 ? `fields ${endless.join(', ')} always contain` : `field ${endless[0]} always contains`;
    problems.push(
      `${node.path ? `field ${node.path}` : 'the record'} (${node.avro.name ?? 'a record'}) has no finite value: ` +
        `its ${fields} it again; make one a union with null, or an array or map without a minimum length`,
    );
  }
  return problems;
}
