import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (user + system, ms) the local MariaDB/MySQL server process has used so far, from
 * /proc, or null when it is not visible from here (another host, another namespace). The server is
 * shared with whatever else runs on the machine: read it as an upper bound of what a phase cost it.
 */
export function serverCpu_ms(): number | null {
  const pid = serverPid();
  if (pid === null) return null;
  try {
    // Fields after the command name: utime and stime are the 12th and 13th (clock ticks, 100 a second).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

let found: number | null | undefined;
function serverPid(): number | null {
  if (found !== undefined) return found;
  found = null;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim();
      if (comm === 'mariadbd' || comm === 'mysqld') return (found = Number(d));
    } catch {
      // a process that ended meanwhile
    }
  }
  return found;
}
