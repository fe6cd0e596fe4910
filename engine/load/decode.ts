/**
 * Largest document the loader reads. A stack description is a few kB; the cap also bounds
 * the parser's time on hostile input (about 1 s for 256 KiB on a busy 2-core machine).
 */
export const MAX_FILE_BYTES = 256 * 1024;

/** Decoded text, or why the bytes cannot be YAML, with the 1-based place of the problem. */
export type DecodeResult = { ok: true; text: string } | { ok: false; line: number; col: number; message: string };

/** Human size for messages: `10.0 MB`. */
export function formatBytes(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)} MB` : n >= 1000 ? `${(n / 1000).toFixed(1)} kB` : `${n} bytes`;
}

/** The message for a file over {@link MAX_FILE_BYTES}, shared by the size check before reading. */
export function tooLargeMessage(size: number): string {
  return `file is ${formatBytes(size)}, larger than the ${MAX_FILE_BYTES / 1024} KiB limit for one document`;
}

/** Byte offset of the first invalid UTF-8 sequence, or -1 when the bytes are valid UTF-8. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  for (let b = bytes[i]; b !== undefined; b = bytes[i]) {
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0 || i + need >= bytes.length) return i;
    // In range (checked above); a missing byte would count as invalid.
    for (let k = 1; k <= need; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    // Overlong three/four-byte forms, UTF-16 surrogates and code points above U+10FFFF.
    const b1 = bytes[i + 1] ?? 0;
    if ((b === 0xe0 && b1 < 0xa0) || (b === 0xed && b1 > 0x9f) || (b === 0xf0 && b1 < 0x90) || (b === 0xf4 && b1 > 0x8f)) return i;
    i += need + 1;
  }
  return -1;
}

/** 1-based line and byte column of a byte offset. */
function positionOf(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++)
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  return { line, col: offset - lineStart + 1 };
}

/**
 * Turns file bytes into text for the YAML parser, refusing what no person meant as YAML:
 * oversized files, binary content (NUL bytes), UTF-16/32 and any other non-UTF-8 input.
 * A UTF-8 byte order mark is dropped.
 */
export function decodeYamlBytes(bytes: Uint8Array): DecodeResult {
  if (bytes.length > MAX_FILE_BYTES) return { ok: false, line: 1, col: 1, message: tooLargeMessage(bytes.length) };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    return { ok: false, line: 1, col: 1, message: 'file is UTF-16 encoded; save it as UTF-8' };
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { ok: false, ...positionOf(bytes, nul), message: 'file contains NUL bytes: it is binary, not YAML text' };
  const bad = firstInvalidUtf8(bytes);
  // Undefined exactly when bad is -1 (all valid): a typed array has no negative indices.
  const badByte = bytes[bad];
  if (badByte !== undefined)
    return {
      ok: false,
      ...positionOf(bytes, bad),
      message: `file is not valid UTF-8 (byte 0x${badByte.toString(16).padStart(2, '0')}); save it as UTF-8`,
    };
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return { ok: true, text: new TextDecoder('utf-8').decode(bytes.subarray(start)) };
}
