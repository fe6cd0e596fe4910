/**
 * A repository address safe to log: the user-info part of URLs (`https://user:token@host`)
 * is replaced, wherever it occurs in the text (git's own messages may quote the URL).
 * scp-like ssh addresses (`git@host:org/repo`) carry no secret and stay as they are.
 */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1[redacted]@');
}
