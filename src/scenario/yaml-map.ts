/** A user's YAML file whose document must be a map (OpenMessaging Benchmark's workload and driver files). */
import { createRequire } from 'node:module';
import type YamlModule from 'yaml';
import { readUserFile } from '../user-file.js';

/** Far above any such file. */
const MAX_BYTES = 1 << 20;

/** The file's map, or the one line saying why not, naming `flag` and the file; `what` is what the map holds. */
export function readYamlMap(
  flag: string,
  file: string,
  what: string,
): { map?: Record<string, unknown>; problem?: string } {
  const { text, problem } = readUserFile(file, MAX_BYTES);
  if (problem !== undefined) return { problem: `${flag} ${file}: cannot read it (${problem})` };
  let doc: unknown;
  try {
    doc = (createRequire(import.meta.url)('yaml') as typeof YamlModule).parse(text);
  } catch (e) {
    return { problem: `${flag} ${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}` };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    return { problem: `${flag} ${file} must be a map of ${what}` };
  return { map: doc as Record<string, unknown> };
}
