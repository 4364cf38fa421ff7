/** The readers' section of the report, from the fleet once it drained. */
import { endToEndPercentilesOf } from '../measure/histograms.js';
import type { BacklogReport, ReaderGroupReport, ReadersReport } from '../report/readers-report.js';
import type { GroupTally } from './group-tally.js';
import type { ReaderFleet } from './reader-fleet.js';

export function readersSection(fleet: ReaderFleet, producingAtMs: number): ReadersReport {
  const written = fleet.endOffsets.reduce((a, end, p) => a + end - (fleet.startOffsets[p] ?? 0), 0);
  return {
    written,
    groups: fleet.groups.map((g) => groupSection(fleet, g)),
    drainTimeoutSec: fleet.options.drainTimeoutSec,
    restarts: fleet.restarts,
    ...(fleet.options.backlog ? { backlog: backlogSection(fleet, producingAtMs) } : {}),
  };
}

function backlogSection(fleet: ReaderFleet, producingAtMs: number): BacklogReport {
  const r = fleet.resumed;
  return {
    asked: fleet.options.backlog ?? {},
    builtAfterSec: r && !fleet.unbuilt ? Math.round((r.atMs - producingAtMs) / 100) / 10 : null,
    messages: r?.acknowledged ?? 0,
    bytes: r?.bytes ?? 0,
    neverBuilt: fleet.unbuilt,
  };
}

/** A backlog's catch-up: from the resume to the group's first second within one second of production. */
function catchUpOf(fleet: ReaderFleet, g: GroupTally): ReaderGroupReport['catchUp'] {
  const r = fleet.resumed;
  if (!fleet.options.backlog || !r) return undefined;
  if (g.caughtUpAtMs === undefined) return { sec: null, drainRate: null };
  const sec = Math.max(0.001, (g.caughtUpAtMs - r.atMs) / 1000);
  return { sec: Math.round(sec * 10) / 10, drainRate: (g.consumedAtCatchUp - g.resumedFrom) / sec };
}

function groupSection(fleet: ReaderFleet, g: GroupTally): ReaderGroupReport {
  // The span from the group's first read to its last (a single batch: a second, not zero).
  const span = g.lastReadMs >= g.firstReadMs ? Math.max(1, (g.lastReadMs - g.firstReadMs) / 1000) : 0;
  const foreign = fleet.endOffsets.reduce((a, end, p) => a + g.ranges.outside(p, fleet.startOffsets[p] ?? 0, end), 0);
  const read = g.consumed + g.reread;
  return {
    group: g.name,
    members: g.members,
    membersAssigned: g.everAssigned.size,
    consumed: g.consumed,
    reread: g.reread,
    missed: fleet.missing(g),
    foreign,
    consumeRate: { average: span ? g.consumed / span : 0, peak: Math.max(0, ...g.perSecond.values()) },
    megabytesPerSec: span ? Math.round((g.bytes / span / 1e6) * 100) / 100 : 0,
    backlogMost: g.backlogMost,
    endToEndMs: endToEndPercentilesOf(g.e2e),
    endToEndFromIntendedMs: endToEndPercentilesOf(g.intended),
    cpuPerMessageUs: read ? Math.round((g.cpuMicros / read) * 100) / 100 : null,
    catchUp: catchUpOf(fleet, g),
  };
}
