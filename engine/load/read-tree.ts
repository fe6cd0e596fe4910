import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { MAX_FILE_BYTES, tooLargeMessage } from './decode.js';
import type { EnvironmentSource, SourceFile } from './check-environment.js';
import type { ValidationMessage } from './messages.js';

/** Path as shown in messages: relative to the working directory. */
export function displayPath(absolute: string): string {
  return relative(process.cwd(), absolute) || '.';
}

const isYamlName = (name: string): boolean => /\.ya?ml$/i.test(name);

/** A message about a whole file or folder (no place inside it). */
export function entryMessage(absolute: string, message: string, severity: ValidationMessage['severity'] = 'error'): ValidationMessage {
  return { file: displayPath(absolute), line: 1, col: 1, path: '', message, severity };
}

/** File system failures classified once, by code, into words for the message. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'ENOTDIR':
      return 'is not a folder';
    default:
      return `cannot be read (${code ?? (e instanceof Error ? e.message : String(e))})`;
  }
}

/**
 * Reads one environment folder: every *.yaml / *.yml file directly inside it. Files over
 * the size limit are refused from their size alone, before a byte is read; symbolic links
 * are refused so that a file cannot pull content from outside the repository; dotfiles
 * (editor backups) are skipped.
 */
export async function readEnvironmentSource(dir: string): Promise<EnvironmentSource> {
  const abs = resolve(dir);
  const source: EnvironmentSource = { name: basename(abs), dir: displayPath(abs), path: abs, files: [], messages: [] };
  let entries: Dirent[];
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch (e) {
    source.messages.push(entryMessage(abs, `environment folder ${describeFsError(e)}`));
    return source;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(abs, entry.name);
    if (entry.isSymbolicLink()) {
      source.messages.push(entryMessage(path, 'symbolic links are not followed: put the document itself in the environment folder'));
    } else if (entry.isDirectory()) {
      source.messages.push(entryMessage(path, 'folder ignored: stacks are the YAML files directly in the environment folder', 'warning'));
    } else if (entry.isFile() && isYamlName(entry.name)) {
      const file: Omit<SourceFile, 'bytes'> = { file: displayPath(path), path, basename: entry.name };
      try {
        const { size } = await lstat(path);
        if (size > MAX_FILE_BYTES) source.messages.push(entryMessage(path, tooLargeMessage(size)));
        else source.files.push({ ...file, bytes: await readFile(path) });
      } catch (e) {
        source.messages.push(entryMessage(path, `file ${describeFsError(e)}`));
      }
    }
  }
  return source;
}
