import { isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/** 1-based place in a file. */
export interface Position {
  line: number;
  col: number;
}

/**
 * Where a document path is written. A path ending at a mapping key points at the key
 * (where a person reads the name the message gives); a list item points at the item. When
 * the path does not exist in the file (a missing key), the deepest part that exists is
 * used: the mapping that lacks the key.
 */
export function locate(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): Position {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as { range?: [number, number, number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return lineCounter.linePos(offset);
}
