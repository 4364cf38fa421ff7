/**
 * JUnit files held to the schema Jenkins reads (junit-10.xsd, fetched by scripts/junit-xsd.sh, which scripts/test.sh
 * runs, or this helper when a test runs alone) with libxml2's schema-aware validator, and counted with XPath: no
 * string matching.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** scripts/test.sh fetches the xsd once for the run; a test run alone (npm run test:unit) fetches it itself. */
let fetched: string | undefined;
const xsd = (): string => {
  fetched ??=
    process.env.DATASTORM_TEST_JUNIT_XSD ||
    execFileSync('bash', [path.join(ROOT, 'scripts/junit-xsd.sh')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop();
  if (!fetched) throw new Error('scripts/junit-xsd.sh printed no path');
  return fetched;
};

/** xmllint's verdict on the file against the xsd: valid, or its reasons. */
export function validateJUnit(file: string): { valid: boolean; reasons: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', xsd(), file], { encoding: 'utf8' });
  return { valid: r.status === 0, reasons: `${r.stderr}${r.error?.message ?? ''}` };
}

/** A number an XPath expression gives over the file (count(//testcase), …). */
export const xpathNumber = (file: string, expression: string): number =>
  Number(execFileSync('xmllint', ['--xpath', expression, file], { encoding: 'utf8' }).trim());

/** The cases of a JUnit file: total and failed, by XPath, and the suites' own counts. */
export function junitCounts(file: string): {
  cases: number;
  failed: number;
  suiteTests: number;
  suiteFailures: number;
} {
  return {
    cases: xpathNumber(file, 'count(//testcase)'),
    failed: xpathNumber(file, 'count(//testcase[failure])'),
    suiteTests: xpathNumber(file, 'sum(//testsuite/@tests)'),
    suiteFailures: xpathNumber(file, 'sum(//testsuite/@failures)'),
  };
}
