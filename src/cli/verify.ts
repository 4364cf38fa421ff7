/** `datastorm verify`: reads a topic back and reports loss, duplicates and order per producer; exit 1 when anything is lost. */
import { isBootstrapList } from '../kafka/bootstrap.js';
import type { Argv } from 'yargs';
import { InvalidOptionsError } from '../errors.js';
import { verifyTopic } from '../verify/verify.js';
import { localBootstrap } from './pulse.js';

export function verifyFlags(y: Argv) {
  return y
    .option('bootstrap', { type: 'string', describe: 'Kafka cluster (default: the running local cluster)' })
    .option('topic', { type: 'string', default: 'tweets', describe: 'topic to read from the beginning' })
    .option('schema', { type: 'string', describe: 'Avro schema the tweets were written with (default schemas/tweet.avsc)' })
    .option('run', { type: 'string', describe: 'only tweets of this storm run id' })
    .option('json', { type: 'boolean', default: false });
}

type Flags = Awaited<ReturnType<ReturnType<typeof verifyFlags>['parseAsync']>>;

export async function verifyCommand(a: Flags): Promise<number> {
  const problems: string[] = [];
  if (a.bootstrap !== undefined && !isBootstrapList(a.bootstrap)) problems.push(`--bootstrap must be host:port[,host:port…] (got '${a.bootstrap}')`);
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(a.topic)) problems.push(`--topic must be 1-249 characters of letters, digits, '.', '_' or '-' (got '${a.topic}')`);
  if (problems.length) throw new InvalidOptionsError(problems);
  const r = await verifyTopic({ bootstrap: a.bootstrap ?? localBootstrap(), topic: a.topic, runId: a.run, schema: a.schema });
  if (a.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else {
    const f = (n: number) => n.toLocaleString('en-US');
    process.stdout.write(`verify ${r.topic}${r.runId ? ` (run ${r.runId})` : ''}: ${f(r.received)} received from ${r.producers.length} producers, ${f(r.lost)} lost, ${f(r.duplicated)} duplicated, ${f(r.outOfOrder)} out of order\n`);
    if (r.unconfirmed) process.stdout.write(`  ${f(r.unconfirmed)} unconfirmed: in flight when a storm child died, never confirmed to the storm, produced again by its restarted child (not counted as lost)\n`);
    if (r.undecodable) process.stdout.write(`  ${f(r.undecodable)} messages did not decode as tweets of the schema (not DataStorm's, or another --schema)\n`);
    if (r.latencyMs) process.stdout.write(`  end-to-end latency (ms, produced to read): p50 ${r.latencyMs.p50}  p95 ${r.latencyMs.p95}  p99 ${r.latencyMs.p99}  p99.9 ${r.latencyMs.p999}  max ${r.latencyMs.max}\n`);
    for (const p of r.producers)
      if (p.lost || p.unconfirmed || p.duplicated || p.outOfOrder)
        process.stdout.write(`  ${p.producer}${p.replaced ? ' (died, restarted)' : ''}: ${f(p.received)} received, ${f(p.lost)} lost, ${p.unconfirmed ? `${f(p.unconfirmed)} unconfirmed, ` : ''}${f(p.duplicated)} duplicated, ${f(p.outOfOrder)} out of order\n`);
  }
  return r.lost > 0 ? 1 : 0;
}
