/**
 * JUnit XML of a run's pass/fail cases (thresholds, a command's own checks): one <testsuite> per command in a
 * <testsuites>, one <testcase> per case, a <failure> for each that failed. Jenkins (junit and xunit plugins), GitLab
 * (`artifacts:reports:junit`) and GitHub's test reporters read this shape; its test holds it to Jenkins' junit-10.xsd
 * with a schema-aware validator. Every attribute and text is escaped: names come from the user.
 */
import os from 'node:os';
import type { GateCase } from './threshold-lines.js';

export interface JUnitSuite {
  /** datastorm.storm, datastorm.verify, …: the suite's and its cases' class name. */
  name: string;
  cases: readonly GateCase[];
  /** The run's wall-clock length, seconds. */
  elapsedSec: number;
  startedAt: Date;
  properties: Record<string, string>;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
/** Text and attribute values; characters XML 1.0 cannot carry at all are dropped. */
const escapeXml = (s: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 cannot carry
  s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
/** Seconds with up to 3 decimals and no grouping: the xsd's SUREFIRE_TIME. */
const seconds = (s: number) => String(Math.round(Math.max(0, s) * 1000) / 1000);

export function renderJUnit(suites: readonly JUnitSuite[]): string {
  const tests = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + s.cases.filter((c) => !c.passed).length, 0);
  const time = seconds(suites.reduce((t, s) => t + s.elapsedSec, 0));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="datastorm" tests="${tests}" failures="${failures}" errors="0" time="${time}">`,
    ...suites.flatMap(suiteLines),
    '</testsuites>',
  ];
  return `${lines.join('\n')}\n`;
}

function suiteLines(suite: JUnitSuite): string[] {
  const failures = suite.cases.filter((c) => !c.passed).length;
  const name = escapeXml(suite.name);
  const attributes = [
    `name="${name}"`,
    `tests="${suite.cases.length}"`,
    `failures="${failures}"`,
    'errors="0"',
    'skipped="0"',
    `time="${seconds(suite.elapsedSec)}"`,
    `timestamp="${suite.startedAt.toISOString().slice(0, 19)}"`,
    `hostname="${escapeXml(os.hostname())}"`,
  ];
  const properties = Object.entries(suite.properties).map(
    ([k, v]) => `      <property name="${escapeXml(k)}" value="${escapeXml(v)}"/>`,
  );
  return [
    `  <testsuite ${attributes.join(' ')}>`,
    ...(properties.length ? ['    <properties>', ...properties, '    </properties>'] : []),
    ...suite.cases.map((c) => caseLines(c, name)),
    '  </testsuite>',
  ];
}

function caseLines(c: GateCase, classname: string): string {
  const open = `    <testcase name="${escapeXml(c.name)}" classname="${classname}.${escapeXml(c.kind)}" time="0">`;
  const body = c.passed
    ? `\n      <system-out>${escapeXml(c.detail)}</system-out>`
    : `\n      <failure type="${escapeXml(c.kind)}" message="${escapeXml(`${c.name}: ${c.detail}`)}">` +
      `${escapeXml(c.detail)}</failure>`;
  return `${open}${body}\n    </testcase>`;
}
