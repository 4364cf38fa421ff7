/**
 * The one table of DataStorm's error codes and exit statuses, and its typed errors. Each code has its own exit (a
 * script can tell the causes apart); the CLI prints one line per problem and exits with the code's status, never a
 * stack. docs/storm.md and docs/bad-input.md list the same table; test/unit/errors.test.ts holds them together.
 */
export const ErrorCodes = {
  INVALID_OPTION: { exit: 2, text: 'invalid option' },
  KAFKA_UNREACHABLE: { exit: 3, text: 'Kafka unreachable' },
  REDIS_UNREACHABLE: { exit: 4, text: 'Redis unreachable' },
  TOPIC: { exit: 5, text: 'topic problem' },
  CLUSTER: { exit: 6, text: 'local cluster failed' },
  PRODUCE: { exit: 7, text: 'produce failed' },
  SCHEMA: { exit: 8, text: 'schema problem' },
  INFLUX_UNREACHABLE: { exit: 9, text: 'InfluxDB unreachable' },
  INFLUX_AUTH: { exit: 10, text: 'InfluxDB refused the credentials' },
  INFLUX_DB: { exit: 11, text: 'InfluxDB database missing' },
  REGISTRY_UNREACHABLE: { exit: 12, text: 'Schema Registry unreachable' },
  REGISTRY: { exit: 13, text: 'Schema Registry refused' },
  /** An instance of a run of several (--instances) never came: every instance ends, none starts. */
  RUN_INCOMPLETE: { exit: 14, text: 'instances of the run missing' },
  /** A file asked for after the run (--html, --junit, --summary-md, --save) could not be written: the report is out. */
  OUTPUT: { exit: 15, text: 'output not written' },
  /** librdkafka could not start a client with settings it accepted one by one (a certificate it cannot load, …). */
  CLIENT: { exit: 16, text: 'Kafka client could not start' },
  /** The native addon could not do its part (memory, a thread, a Node-API call): never a silent loss of counts. */
  NATIVE: { exit: 17, text: 'native addon failed' },
  INTERNAL: { exit: 70, text: 'internal error' },
  /** The run ended and its report is out, but a --threshold failed (k6's convention). */
  THRESHOLDS_FAILED: { exit: 99, text: 'a threshold failed' },
  /** Stopped by Ctrl-C or SIGTERM: the report of what was done is out. */
  INTERRUPTED: { exit: 130, text: 'interrupted' },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** The exit status of a code: the one place the CLI learns it. */
export const exitOf = (code: ErrorCode): number => ErrorCodes[code].exit;

export class DataStormError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  /** For INVALID_OPTION: every problem found, one line each. */
  readonly problems: string[];
  constructor(code: ErrorCode, message: string, problems: string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataStormError';
    this.code = code;
    this.exitCode = exitOf(code);
    this.problems = problems.length ? problems : [message];
  }
}

/** An error of a code that keeps what caused it (the Error a library threw), for a debug log and for callers. */
export const wrapError = (code: ErrorCode, message: string, cause: unknown): DataStormError =>
  new DataStormError(code, message, [], { cause });

export class InvalidOptionsError extends DataStormError {
  constructor(problems: string[]) {
    super('INVALID_OPTION', problems[0] ?? 'invalid options', problems);
    this.name = 'InvalidOptionsError';
  }
}

export function isDataStormError(e: unknown): e is DataStormError {
  return e instanceof DataStormError;
}
