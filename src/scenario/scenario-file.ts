/**
 * A scenario file (--scenario FILE, YAML or JSON): the storm's flags by name, plus a one-line `description` printed at
 * start. What the command line says wins over the file. Lists and maps are allowed where a flag takes a list:
 *   description: Launch day: ramp, hold, spike, drain
 *   stages: [30s:0-200k, 60s:200k, 10s:600k, 30s:0]
 *   warmup: 10s
 *   keys: zipf:1000:1.2
 *   find-max: { start: 50k, step: 50k, every: 10s }   (or `find-max: true` for the defaults)
 *   thresholds: [rate>=190k, p99<500ms, failed==0]     (with the command line's --threshold: all of them apply)
 * Problems are reported all at once with the storm's own, each naming the file and its key.
 */
import { createRequire } from 'node:module';
import type YamlModule from 'yaml';

/**
 * What an unknown flag is told, on the command line and in a scenario file alike (a file also takes description and
 * thresholds: docs/scenarios.md).
 */
export const NOT_A_FLAG = (command: string) => `is not a ${command} flag (see 'datastorm ${command} --help')`;

import { readUserFile } from '../user-file.js';

/** A scenario is a page of settings; anything near this is not one. */
const MAX_SCENARIO_BYTES = 1 << 20;

export interface ScenarioFile {
  file: string;
  /** The file's values as raw flags (strings, as the command line would give them). */
  flags: Record<string, unknown>;
  description?: string;
  /** Its `thresholds:` list, as written (judged with the command line's own). */
  thresholds: string[];
  problems: string[];
  /** Rewrites a problem about a flag the file set and the command line did not ("--stages …") to name the file. */
  attribute(problem: string, commandLine: Record<string, unknown>): string;
}

export function loadScenarioFile(file: string, known: string[]): ScenarioFile {
  const flags: Record<string, unknown> = {};
  const problems: string[] = [];
  const result: ScenarioFile = {
    file,
    flags,
    thresholds: [],
    problems,
    attribute: (p, commandLine) => {
      const m = /^--([a-z-]+)\b ?(.*)$/s.exec(p);
      if (!m || !Object.hasOwn(flags, m[1]) || commandLine[m[1]] !== undefined) return p;
      return `--scenario ${file}: '${m[1]}'${m[2].startsWith(',') ? '' : ' '}${m[2]}`;
    },
  };
  const { text, problem } = readUserFile(file, MAX_SCENARIO_BYTES);
  if (problem !== undefined) {
    problems.push(`--scenario ${file}: cannot read it (${problem})`);
    return result;
  }
  let doc: unknown;
  try {
    // YAML 1.2 is a superset of JSON: one parser reads both. Loaded here, not at start: most storms name no file.
    const YAML = createRequire(import.meta.url)('yaml') as typeof YamlModule;
    doc = YAML.parse(text);
  } catch (e) {
    problems.push(`--scenario ${file} is not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
    return result;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    problems.push(`--scenario ${file} must be a map of flag names to values (e.g. stages: 30s:0-200k,60s:200k)`);
    return result;
  }
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (key === 'description') {
      if (typeof value === 'string' && !value.includes('\n')) result.description = value;
      else problems.push(`--scenario ${file}: 'description' must be one line of text`);
    } else if (key === 'thresholds') {
      if (Array.isArray(value) && value.every((x) => typeof x === 'string')) result.thresholds = value;
      else if (typeof value === 'string') result.thresholds = [value];
      else problems.push(`--scenario ${file}: 'thresholds' must be a list of thresholds (e.g. [rate>=190k, p99<1s])`);
    } else if (key === 'scenario' || key === 'threshold' || !known.includes(key)) {
      problems.push(`--scenario ${file}: '${key}' ${NOT_A_FLAG('storm')}`);
    } else {
      const v = asFlag(value);
      if (v === undefined) problems.push(`--scenario ${file}: '${key}' must be a value, a list or a map of values`);
      else flags[key] = v;
    }
  }
  return result;
}

/**
 * A YAML value as the command line gives it: true and false as a boolean flag's (yargs gives `--idempotence` as true),
 * lists joined by commas, maps as key=value pairs.
 */
function asFlag(v: unknown): string | boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.join(',');
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.every(([, x]) => typeof x === 'string' || typeof x === 'number'))
      return entries.map(([k, x]) => `${k}=${x}`).join(',');
  }
  return undefined;
}
