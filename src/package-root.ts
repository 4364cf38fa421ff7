/**
 * DataStorm's own directory (where package.json, schemas/, native/ and kafka-cluster/ are), found by walking up from
 * this module: the same answer from src/, from dist/src/ and from a bundle of dist/src/ at any depth.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'datastorm'
    )
      return dir;
    if (path.dirname(dir) === dir) throw new Error(`no datastorm package.json above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** DataStorm's version, from its package.json. */
export const PACKAGE_VERSION = (
  JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
