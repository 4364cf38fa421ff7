/**
 * `datastorm verify`: reads a topic back and reports loss, duplicates and order per producer and per key; exit 1 when
 * anything is lost or a key's messages are out of order.
 */
import { localBootstrap } from '../local/services.js';
import { type RawFlags, validOrThrow } from '../option-checks.js';
import { renderVerifyText } from '../report/verify-report.js';
import { parseVerifyOptions } from '../verify/options.js';
import { verify } from '../verify/verify.js';

export async function verifyCommand(flags: RawFlags & { json: boolean }): Promise<number> {
  const request = validOrThrow(parseVerifyOptions(flags));
  const r = await verify({ ...request, bootstrap: request.bootstrap ?? localBootstrap() });
  process.stdout.write(flags.json ? `${JSON.stringify(r, null, 2)}\n` : `${renderVerifyText(r)}\n`);
  return r.lost > 0 || (r.keys?.outOfOrder ?? 0) > 0 ? 1 : 0;
}
