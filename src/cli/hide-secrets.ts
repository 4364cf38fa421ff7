/**
 * A secret a user typed on the command line (-X sasl.password=…, --influx-token …, a Redis URL's password) is on
 * this process's arguments, where `ps` shows it to every user of the machine. DataStorm rewrites its process title
 * at start, secrets as ***, so what `ps` shows from then on carries none; children never get secrets as arguments.
 */
import { displayRedisUrl } from '../coord/redis.js';
import { isSecretSetting } from '../kafka/client-config.js';

const SECRET_FLAGS = new Set(['--influx-token']);
const URL_FLAGS = new Set(['--redis']);

/** The arguments with every secret value replaced by ***. */
export function maskedArguments(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = splitInline(arg);
    if (flag === '-X' || flag === '--X') {
      if (inline !== undefined) out.push(`${flag}=${maskSetting(inline)}`);
      else if (i + 1 < args.length) out.push(arg, maskSetting(args[++i]));
      else out.push(arg);
    } else if (arg.startsWith('-X') && arg.length > 2 && !arg.startsWith('-X='))
      out.push(`-X${maskSetting(arg.slice(2))}`);
    else if (SECRET_FLAGS.has(flag)) {
      if (inline !== undefined) out.push(`${flag}=***`);
      else {
        out.push(arg);
        if (i + 1 < args.length) {
          out.push('***');
          i++;
        }
      }
    } else if (URL_FLAGS.has(flag)) {
      if (inline !== undefined) out.push(`${flag}=${displayRedisUrl(inline)}`);
      else out.push(arg, ...(i + 1 < args.length ? [displayRedisUrl(args[++i])] : []));
    } else out.push(arg);
  }
  return out;
}

const splitInline = (arg: string): [string, string | undefined] => {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
};

function maskSetting(setting: string): string {
  const eq = setting.indexOf('=');
  return eq > 0 && isSecretSetting(setting.slice(0, eq)) ? `${setting.slice(0, eq)}=***` : setting;
}

/** Rewrites what `ps` shows of this process when its arguments carry a secret. */
export function hideSecretArguments(args: readonly string[]): void {
  const masked = maskedArguments(args);
  if (masked.every((arg, i) => arg === args[i])) return;
  process.title = ['datastorm', ...masked].join(' ');
}
