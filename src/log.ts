/**
 * winston: terse human lines to stderr (warn and up unless DATASTORM_LOG says otherwise); JSON to a file when
 * DATASTORM_LOG_FILE is set. The logger is made on the first line logged: most runs of a storm child log nothing, and
 * loading winston costs each process tens of milliseconds of CPU (benchmarks count the whole process tree).
 */
import { createRequire } from 'node:module';
import type winstonModule from 'winston';

type Logger = Pick<winstonModule.Logger, 'error' | 'warn' | 'info' | 'debug'>;

let logger: winstonModule.Logger | undefined;

function make(): winstonModule.Logger {
  const winston = createRequire(import.meta.url)('winston') as typeof winstonModule;
  const level = process.env.DATASTORM_LOG ?? 'warn';
  const transports: winstonModule.transport[] = [
    new winston.transports.Console({
      stderrLevels: ['error', 'warn', 'info', 'verbose', 'debug', 'silly'],
      format: winston.format.printf((i) => `datastorm: ${i.level}: ${String(i.message)}`),
    }),
  ];
  if (process.env.DATASTORM_LOG_FILE) {
    transports.push(
      new winston.transports.File({
        filename: process.env.DATASTORM_LOG_FILE,
        level: 'debug',
        format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
      }),
    );
  }
  return winston.createLogger({ level, transports });
}

/** winston's npm levels, most severe first: a line is written when its level is at or above the logger's. */
const SEVERITY: Record<string, number> = { error: 0, warn: 1, info: 2, http: 3, verbose: 4, debug: 5, silly: 6 };

/**
 * Whether a line of this level would go anywhere: a debug line (librdkafka's retries, every tick) must not load
 * winston when nothing would show it. A level winston does not know is left for winston to judge.
 */
function written(level: keyof Logger): boolean {
  if (process.env.DATASTORM_LOG_FILE) return true;
  const name = process.env.DATASTORM_LOG ?? 'warn';
  const threshold = Object.hasOwn(SEVERITY, name) ? SEVERITY[name] : undefined;
  return threshold === undefined || SEVERITY[level] <= threshold;
}

const to =
  (level: keyof Logger) =>
  (message: string): void => {
    if (!logger && !written(level)) return;
    logger ??= make();
    logger[level](message);
  };

export const log = { error: to('error'), warn: to('warn'), info: to('info'), debug: to('debug') };
