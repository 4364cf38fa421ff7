// Bundles each process's entry of dist/src/ in place (the CLI and the primaries, a storm's child, a pulse's child):
// a process then reads one file instead of about 280 (node_modules included), which was a third of a storm's fixed CPU.
// The other modules stay as tsc emitted them, for the library and the tests. esbuild, not a hand-written concatenation:
// it resolves ESM and CommonJS together and keeps each module's top-level order.
// Left outside: node-rdkafka and the addon (native code, found by path at run time), and the packages the sources load
// on demand through createRequire (winston, yaml, protobufjs), which a bundle would load eagerly.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entries = ['cli/index.js', 'storm/child.js', 'pulse/child.js', 'readers/reader-child.js'];

await build({
  absWorkingDir: root,
  entryPoints: entries.map((entry) => `dist/src/${entry}`),
  outbase: 'dist/src',
  outdir: 'dist/src',
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: `node${process.versions.node.split('.')[0]}`,
  external: ['node-rdkafka', '*.node'],
  // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
  banner: { js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);" },
  keepNames: true,
  logLevel: 'warning',
});
