/** Brands as indexes from their bytes (generate/brand-table.ts): one index per distinct brand, named once. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BrandTable } from '../../../src/generate/brand-table.js';
import { Rng } from '../../../src/random.js';

const ALPHABET = ['a', 'Z', '9', ' ', ',', '=', '\\', '"', 'é', '日', '🙂', '\u0000'];

test('one index per distinct brand, whatever its bytes; names decoded once; the table grows', () => {
  const rng = new Rng(11);
  const table = new BrandTable();
  const seen = new Map<string, number>();
  for (let i = 0; i < 20_000; i++) {
    // Mostly repeats of a few thousand brands, of every length from empty up.
    const length = rng.int(12);
    let brand = `${rng.int(3000)}`;
    for (let k = 0; k < length; k++) brand += ALPHABET[rng.int(ALPHABET.length)];
    const bytes = Buffer.concat([Buffer.from('xx'), Buffer.from(brand, 'utf8'), Buffer.from('yy')]);
    const index = table.intern(bytes, 2, bytes.length - 4);
    const before = seen.get(brand);
    if (before === undefined) seen.set(brand, index);
    else assert.equal(index, before, `the same brand, the same index: ${brand}`);
    assert.equal(table.names[index], brand);
  }
  assert.equal(table.size, seen.size);
  assert.equal(new Set(seen.values()).size, seen.size, 'distinct brands, distinct indexes');
  assert.equal(table.internString(''), table.intern(Buffer.alloc(0), 0, 0), 'the empty brand too');
});
