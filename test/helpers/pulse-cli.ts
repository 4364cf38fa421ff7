/** Runs pulse as a user would, against the test services. */
import { bootstrap, influxUrl } from './services.js';
import { CLI } from './storm-cli.js';

/** pulse's argv for a topic and bucket (--until-idle 3 unless extra says otherwise); the group is the topic's own. */
export const pulseArgs = (topic: string, bucket: string, extra: string[] = [], group = `g-${topic}`) => [
  CLI,
  'pulse',
  '--bootstrap',
  bootstrap(),
  '--topic',
  topic,
  '--group',
  group,
  '--influx-url',
  influxUrl(),
  '--influx-bucket',
  bucket,
  '--json',
  '--quiet',
  ...(extra.includes('--until-idle') ? [] : ['--until-idle', '3']),
  ...extra,
];
