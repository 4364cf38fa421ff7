/** Runs the storm CLI as a user would, against the test services. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { StormReport } from '../../src/report/storm-report.js';
import type { VerifyReport } from '../../src/report/verify-report.js';
import { bootstrap, ROOT, type RunResult, redisUrl, run } from './services.js';

export const CLI = path.join(ROOT, 'dist/src/cli/index.js');

export function stormArgs(extra: string[]): string[] {
  return [CLI, 'storm', '--bootstrap', bootstrap(), '--redis', redisUrl(), '--json', '--no-save', '--quiet', ...extra];
}

export async function stormJson(extra: string[], timeoutMs = 180_000): Promise<{ report: StormReport; r: RunResult }> {
  const r = await run(process.execPath, stormArgs(extra), {}, timeoutMs);
  if (r.code !== 0) throw new Error(`storm exited ${r.code}: ${r.stderr}`);
  return { report: JSON.parse(r.stdout) as StormReport, r };
}

/** Starts a storm and returns the child process, for tests that signal it. */
export function spawnStorm(extra: string[]) {
  const child = spawn(process.execPath, stormArgs(extra), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  /** What it printed on stdout so far (the JSON report comes at the end). */
  const out = () => stdout;
  return { child, exited, stdout: out };
}

/**
 * Runs `datastorm verify --json` on a topic (one run of it with runId; `extra` flags, e.g. --schema-registry); exit 0
 * (clean) or 1 (loss) both give a report.
 */
export async function verifyJson(
  topic: string,
  runId?: string,
  extra: string[] = [],
): Promise<{ report: VerifyReport; code: number }> {
  const r = await run(
    process.execPath,
    [
      CLI,
      'verify',
      '--bootstrap',
      bootstrap(),
      '--topic',
      topic,
      ...(runId ? ['--run', runId] : []),
      '--json',
      ...extra,
    ],
    {},
    300_000,
  );
  if (r.code !== 0 && r.code !== 1) throw new Error(`verify exited ${r.code}: ${r.stderr}`);
  return { report: JSON.parse(r.stdout) as VerifyReport, code: r.code };
}
