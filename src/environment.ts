/** What a report or benchmark says it ran on: DataStorm's and its libraries' versions, and the machine. */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { librdkafkaVersion } from './kafka/admin.js';
import { PACKAGE_VERSION } from './package-root.js';

const require = createRequire(import.meta.url);

/**
 * The installed version of a package (what ran, not the range package.json allows); 'unknown' when absent. Read from
 * the package's directory: some packages do not export their package.json.
 */
export function packageVersion(name: string): string {
  try {
    const main = require.resolve(name);
    const root = main.slice(0, main.lastIndexOf(`${path.sep}node_modules${path.sep}`) + 1) || path.dirname(main);
    const file = path.join(root, 'node_modules', name, 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function versions(): Record<string, string> {
  return {
    datastorm: PACKAGE_VERSION,
    node: process.versions.node,
    'node-rdkafka': packageVersion('node-rdkafka'),
    librdkafka: librdkafkaVersion(),
    avsc: packageVersion('avsc'),
  };
}

export interface Machine {
  cores: number;
  memoryGiB: number;
  cpu: string;
  os: string;
}

export function machine(): Machine {
  return {
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    os: `${os.type()} ${os.release()}`,
  };
}

/** "node 20.20.2, librdkafka 2.12.0, …": versions as one line of text. */
export const versionList = (v: Record<string, string>): string =>
  Object.entries(v)
    .map(([k, x]) => `${k} ${x}`)
    .join(', ');
