/**
 * What a tweet in the topic promises its readers, owned here so the writer (storm/) and the checker (verify/) read
 * the same words:
 *   run_id       the storm run that wrote it;
 *   producer_id  `RUN/INSTANCE.pSLOT.INCARNATION`: one child process incarnation of one storm process of the run,
 *                unique across every process sharing the run id (a restarted child is a new producer); INSTANCE is
 *                `iINDEX-PROCESS` for an instance of a run of several (--instances), whose restarted process carries
 *                on its slots' incarnations, so its producers replace those of the process before it;
 *   seq          per producer, from 0, one per message handed to the client, no gaps: a gap is a loss, a repeat a
 *                duplicate, a step back within a partition a reordering;
 *   id           the message's index in the run's global quota (coord/quota.ts): unique within the run.
 * A producer that died mid-run may leave its last messages unconfirmed rather than lost: at most MAX_IN_FLIGHT_LIMIT
 * unacknowledged plus the batch it was handing over (UNCONFIRMED_WINDOW).
 */

/** The most a storm child may hold unacknowledged (--max-in-flight's upper bound). */
export const MAX_IN_FLIGHT_LIMIT = 200_000;

/**
 * How far back from a dead producer's highest sequence its gaps may be messages it had in flight: MAX_IN_FLIGHT_LIMIT
 * plus a batch being handed over. Gaps before that are counted lost. (A --batch-size above 50,000 could leave more in
 * flight: its excess would read as lost.)
 */
export const UNCONFIRMED_WINDOW = MAX_IN_FLIGHT_LIMIT + 50_000;

/** The producer id of one child incarnation of one storm process of a run. */
export const producerIdOf = (runId: string, instance: string, slot: number, incarnation: number) =>
  `${runId}/${instance}.p${slot}.${incarnation}`;

/**
 * The slot a storm producer id names (everything but the incarnation; for an instance, its index and not its process)
 * and its incarnation; null for other ids.
 */
export function parseProducerId(id: string): { slot: string; incarnation: number } | null {
  const m = /^(.*\.p\d+)\.(\d+)$/.exec(id);
  return m ? { slot: m[1].replace(INSTANCE_PROCESS, '/$1$2'), incarnation: Number(m[2]) } : null;
}

/** `/iINDEX-PROCESS.pSLOT` at the end of a producer's slot: the process part goes, the index stays. */
const INSTANCE_PROCESS = /\/(i\d+)-[0-9a-f]+(\.p\d+)$/;
