/**
 * `datastorm verify`: reads a topic back and reports loss, duplicates and order per producer and per key; exit 1 when
 * anything is lost or a key's messages are out of order; a read cut short (the topic deleted under it, nothing coming)
 * prints what it read, then fails as a TOPIC error: it is never a pass.
 */
import { DataStormError } from '../errors.js';
import { localBootstrap } from '../local/services.js';
import { type RawFlags, validOrThrow } from '../option-checks.js';
import { renderVerifyText } from '../report/verify-report.js';
import { parseVerifyOptions } from '../verify/options.js';
import { verify } from '../verify/verify.js';

export async function verifyCommand(flags: RawFlags & { json: boolean }): Promise<number> {
  const request = validOrThrow(parseVerifyOptions(flags));
  const r = await verify({ ...request, bootstrap: request.bootstrap ?? localBootstrap() });
  process.stdout.write(flags.json ? `${JSON.stringify(r, null, 2)}\n` : `${renderVerifyText(r)}\n`);
  if (r.read.cutShort)
    throw new DataStormError(
      'TOPIC',
      `verify ${r.topic}: read ${r.read.messages} of ${r.read.expected} messages: ${r.read.cutShort}; not a pass`,
    );
  return r.lost > 0 || (r.keys?.outOfOrder ?? 0) > 0 ? 1 : 0;
}
