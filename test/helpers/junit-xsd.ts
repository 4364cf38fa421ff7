/**
 * JUnit files held to the schema Jenkins reads (junit-10.xsd, fetched by scripts/junit-xsd.sh, which scripts/test.sh
 * runs) with libxml2's schema-aware validator, and counted with XPath: no string matching.
 */
import { execFileSync, spawnSync } from 'node:child_process';

const xsd = (): string => {
  const file = process.env.DATASTORM_TEST_JUNIT_XSD;
  if (!file) throw new Error('DATASTORM_TEST_JUNIT_XSD is not set: run the tests through scripts/test.sh');
  return file;
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
