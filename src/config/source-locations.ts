// Maps a path in a parsed document back to the line it came from, so an issue can say
// "(line 12)". Works for YAML and JSON (JSON is read as YAML only to find positions).
import { isCollection, isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { PathSegment } from './input-issues.ts';

/** The 1-based line of the deepest node on `path` that exists in the source. */
export type LineLocator = (path: readonly PathSegment[]) => number | undefined;

export function locatorFor(document: Document, lineCounter: LineCounter): LineLocator {
  return (path) => {
    // A missing key has no node of its own: point at the nearest enclosing one.
    for (let length = path.length; length >= 0; length--) {
      const prefix = path.slice(0, length);
      // The key's line reads best ("segment:" rather than the first line of its block).
      const node: unknown = length === 0 ? document.contents : document.getIn(prefix, true);
      const range = rangeOf(keyNodeOf(document, prefix)) ?? rangeOf(node);
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
}

/** Parses `text` only to locate paths; syntax errors are the caller's business. */
export function locatorForText(text: string): LineLocator {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  return locatorFor(document, lineCounter);
}

/** The key node of `path`'s last step when its parent is a mapping. */
function keyNodeOf(document: Document, path: readonly PathSegment[]): unknown {
  if (path.length === 0) return undefined;
  const parent: unknown = path.length === 1 ? document.contents : document.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const last = path[path.length - 1];
  return parent.items.find((pair) => isScalar(pair.key) && pair.key.value === last)?.key;
}

function rangeOf(node: unknown): readonly number[] | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range: unknown = node.range;
  if (!Array.isArray(range) || typeof range[0] !== 'number') return undefined;
  // An empty collection at the end of a document has no useful start.
  if (isCollection(node) && node.items.length === 0 && range[0] === range[1]) return undefined;
  return range as readonly number[];
}
