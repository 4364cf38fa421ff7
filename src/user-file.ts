/**
 * Files a user names (--schema, --scenario, `report FILE`): read whole only when they are regular files of a sane
 * size. A directory, a FIFO or a device (/dev/zero, a terminal) would hang the read or fill memory; a huge file would
 * too. The reason comes back as words a user can act on, for the caller's one line naming the option.
 */
import fs from 'node:fs';

export type UserFile = { text: string; problem?: undefined } | { text?: undefined; problem: string };

export function readUserFile(file: string, maxBytes: number): UserFile {
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) return { problem: 'it is a directory' };
    if (!stat.isFile()) return { problem: 'not a regular file: a FIFO, a socket or a device' };
    if (stat.size > maxBytes) return { problem: `larger than the ${maxBytes >> 20} MiB such a file can be` };
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { problem: err.code === 'ENOENT' ? 'no such file' : (err.code ?? err.message) };
  }
}
