/** Typed errors with stable codes; the CLI maps them to one line on stderr and an exit code, never a stack. */
export const ErrorCodes = {
  INVALID_OPTION: { exit: 2, text: 'invalid option' },
  KAFKA_UNREACHABLE: { exit: 3, text: 'Kafka unreachable' },
  REDIS_UNREACHABLE: { exit: 4, text: 'Redis unreachable' },
  /** An instance of a run of several (--instances) never came: every instance ends, none starts. */
  RUN_INCOMPLETE: { exit: 4, text: 'instances of the run missing' },
  TOPIC: { exit: 5, text: 'topic problem' },
  CLUSTER: { exit: 6, text: 'local cluster failed' },
  PRODUCE: { exit: 7, text: 'produce failed' },
  SCHEMA: { exit: 8, text: 'schema problem' },
  INFLUX_UNREACHABLE: { exit: 9, text: 'InfluxDB unreachable' },
  INFLUX_AUTH: { exit: 10, text: 'InfluxDB refused the credentials' },
  INFLUX_DB: { exit: 11, text: 'InfluxDB database missing' },
  REGISTRY_UNREACHABLE: { exit: 12, text: 'Schema Registry unreachable' },
  REGISTRY: { exit: 13, text: 'Schema Registry refused' },
  INTERNAL: { exit: 70, text: 'internal error' },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class DataStormError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  /** For INVALID_OPTION: every problem found, one line each. */
  readonly problems: string[];
  constructor(code: ErrorCode, message: string, problems: string[] = []) {
    super(message);
    this.name = 'DataStormError';
    this.code = code;
    this.exitCode = ErrorCodes[code].exit;
    this.problems = problems.length ? problems : [message];
  }
}

export class InvalidOptionsError extends DataStormError {
  constructor(problems: string[]) {
    super('INVALID_OPTION', problems[0] ?? 'invalid options', problems);
    this.name = 'InvalidOptionsError';
  }
}

export function isDataStormError(e: unknown): e is DataStormError {
  return e instanceof DataStormError;
}
