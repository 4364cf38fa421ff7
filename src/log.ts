/**
 * winston: terse human lines to stderr (warn and up unless DATASTORM_LOG says otherwise); JSON to a file when
 * DATASTORM_LOG_FILE is set.
 */
import winston from 'winston';

const level = process.env.DATASTORM_LOG ?? 'warn';
const transports: winston.transport[] = [
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

export const log = winston.createLogger({ level, transports });
