/** error: the document is not applied. warning: applied, but someone should look. */
export type Severity = 'error' | 'warning';

/**
 * One finding about one place in one file. `file` is relative to the working directory
 * when the loader ran; `path` is the dotted path inside the document (`spec.dependsOn[1]`),
 * empty for problems of the file as a whole; `line` and `col` are 1-based.
 */
export interface ValidationMessage {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
  severity: Severity;
}

/** A segment list as written in messages: `spec.params.tags["cost center"]`, `dependsOn[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** `environments/dev/queue.yaml:7:5 spec.params.visibilityTimeoutSeconds: expected number, got string` */
export function formatMessage(m: ValidationMessage): string {
  const where = `${m.file}:${m.line}:${m.col}`;
  const level = m.severity === 'warning' ? 'warning: ' : '';
  return m.path === '' ? `${where}: ${level}${m.message}` : `${where} ${m.path}: ${level}${m.message}`;
}

/** Orders messages by file, then position, so output is stable across runs. */
export function compareMessages(a: ValidationMessage, b: ValidationMessage): number {
  return a.file < b.file
    ? -1
    : a.file > b.file
      ? 1
      : a.line - b.line || a.col - b.col || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

/** True when any message stops the document from being applied. */
export function hasErrors(messages: readonly ValidationMessage[]): boolean {
  return messages.some((m) => m.severity === 'error');
}
