import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), or ''
 * where /proc is unavailable. Together with the pid it identifies a process even after
 * the pid is reused.
 */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '';
  } catch {
    return '';
  }
}

/** This process as a lock holder. */
export function currentProcess(): { pid: number; host: string; processStart: string } {
  return { pid: process.pid, host: hostname(), processStart: processStartTime(process.pid) };
}

/**
 * Whether the process that took a lock on this host is still running. A holder on
 * another host is assumed alive: nothing here can prove otherwise.
 */
export function holderIsAlive(holder: { pid: number; host: string; processStart: string }): boolean {
  if (holder.host !== hostname()) return true;
  if (!pidExists(holder.pid)) return false;
  const start = processStartTime(holder.pid);
  return holder.processStart === '' || start === '' || start === holder.processStart;
}

/** Whether a process with this pid exists on this host (EPERM: it exists but is someone else's). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
