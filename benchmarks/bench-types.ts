/** The shapes of benchmark results, shared by the runner (bench.ts) and the renderer (render.ts). */
import type { machine } from '../src/environment.js';

export interface BenchRow {
  brokers: number;
  acks: string;
  run: number;
  tool: string;
  /** The listener the tool spoke to: absent for plaintext, 'sasl_ssl' for SCRAM-SHA-512 over TLS. */
  listener?: 'sasl_ssl';
  msgsPerSec: number | null;
  /** Client CPU (the tool's whole process tree) per acknowledged message, µs. */
  clientCpuUs?: number | null;
  /** The broker JVMs' CPU over the tool's run per acknowledged message, µs. */
  brokerCpuUs?: number | null;
  /** Log bytes stored per message (all partitions' .log files ÷ replication ÷ count). */
  storedBytes?: number | null;
  error?: string;
  timeline: [number, number][];
  command: string;
  extra?: Record<string, unknown>;
}

export type BenchResult = {
  profile: string;
  date: string;
  machine: ReturnType<typeof machine>;
  versions: Record<string, string>;
  settings: Record<string, unknown>;
  generator: { tweetsPerSecPerCore: number[]; avgBytes: number };
  rows: BenchRow[];
};
