/**
 * `datastorm verify`: reads a topic back and reports loss, duplicates and order per producer and per key; exit 1 when
 * anything is lost or a key's messages are out of order, else 99 when a --threshold failed; a read cut short (the
 * topic deleted under it, nothing coming) prints what it read, then fails as a TOPIC error: it is never a pass.
 */
import { DataStormError } from '../errors.js';
import { localBootstrap } from '../local/services.js';
import { OptionChecks, type RawFlags, validOrThrow } from '../option-checks.js';
import { type GateCase, thresholdCases } from '../report/threshold-lines.js';
import { renderVerifyText, type VerifyReport, verifyChecks } from '../report/verify-report.js';
import { parseVerifyOptions } from '../verify/options.js';
import { verify } from '../verify/verify.js';
import { checkGateFiles, type GateOutput, gateExit, writeGateFiles } from './gate.js';

export async function verifyCommand(flags: RawFlags & { json: boolean }): Promise<number> {
  const parsed = parseVerifyOptions(flags);
  const fileChecks = new OptionChecks();
  checkGateFiles(fileChecks, flags);
  const request = validOrThrow({ request: parsed.request, problems: [...parsed.problems, ...fileChecks.problems] });
  const startedAt = new Date();
  const r = await verify({ ...request, bootstrap: request.bootstrap ?? localBootstrap() });
  process.stdout.write(flags.json ? `${JSON.stringify(r, null, 2)}\n` : `${renderVerifyText(r)}\n`);
  const checks = verifyChecks(r);
  const thresholds = thresholdCases(r.thresholds);
  const gateProblem = writeGateFiles(flags, verifyGate(r, startedAt, [...checks, ...thresholds]));
  if (r.read.cutShort)
    throw new DataStormError(
      'TOPIC',
      `verify ${r.topic}: read ${r.read.messages} of ${r.read.expected} messages: ${r.read.cutShort}; not a pass`,
    );
  if (gateProblem) throw gateProblem;
  return checks.every((c) => c.passed) ? gateExit(thresholds) : 1;
}

/** Verify's checks and thresholds as a JUnit suite and a Markdown summary. */
function verifyGate(r: VerifyReport, startedAt: Date, cases: GateCase[]): GateOutput {
  const en = (n: number) => n.toLocaleString('en-US');
  const latency = r.latencyMs;
  return {
    suite: {
      name: 'datastorm.verify',
      cases,
      elapsedSec: (Date.now() - startedAt.getTime()) / 1000,
      startedAt,
      properties: { topic: r.topic, ...(r.runId ? { 'run-id': r.runId } : {}) },
    },
    summary: {
      title: `DataStorm verify ${r.topic}${r.runId ? ` (run ${r.runId})` : ''}`,
      cases,
      figures: [
        ['received', `${en(r.received)} from ${r.producers.length} producers`],
        ['lost', en(r.lost)],
        ['duplicated', en(r.duplicated)],
        ['out of order', en(r.outOfOrder)],
        ['end-to-end latency', latency ? `p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms` : '-'],
      ],
    },
  };
}
