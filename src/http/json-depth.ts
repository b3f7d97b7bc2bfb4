/**
 * @module http/json-depth — bounds how deeply a JSON body nests, at parse time. V8's JSON.parse copes with
 * any depth, but JSON.stringify, the token estimate, the cache key and zod all recurse: a body nested 10,000
 * deep would throw RangeError (a 500, and a replica failure once it reaches the upstream call) far from here.
 * The bound is checked on the raw bytes (one pass, no allocation); only a body over it is walked again to
 * name the field where the bound is crossed.
 */

export const DEFAULT_MAX_JSON_DEPTH = 64;

const OPEN_OBJ = 0x7b;
const OPEN_ARR = 0x5b;
const CLOSE_OBJ = 0x7d;
const CLOSE_ARR = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** True when the JSON text in `buf` nests objects/arrays deeper than `max` (brackets inside strings ignored). */
export function exceedsDepth(buf: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_OBJ || b === OPEN_ARR) {
      if (++depth > max) return true;
    } else if (b === CLOSE_OBJ || b === CLOSE_ARR) depth--;
  }
  return false;
}

/**
 * The path (`messages[0].x`) of the first container found at depth `max + 1` in a parsed value, or null.
 * Iterative, so that it cannot itself overflow the stack.
 */
export function depthPath(value: unknown, max: number): string | null {
  interface Frame {
    value: unknown;
    depth: number;
    parent: Frame | null;
    key: string | number | null;
  }
  const stack: Frame[] = [{ value, depth: 1, parent: null, key: null }];
  while (stack.length) {
    const f = stack.pop() as Frame;
    if (f.value === null || typeof f.value !== 'object') continue;
    if (f.depth > max) return pathOf(f);
    const entries: [string | number, unknown][] = Array.isArray(f.value)
      ? f.value.map((v, i) => [i, v])
      : Object.entries(f.value as Record<string, unknown>);
    for (const [key, v] of entries) {
      if (v !== null && typeof v === 'object') stack.push({ value: v, depth: f.depth + 1, parent: f, key });
    }
  }
  return null;

  function pathOf(f: Frame): string {
    const parts: (string | number)[] = [];
    for (let p: Frame | null = f; p && p.key !== null; p = p.parent) parts.push(p.key);
    parts.reverse();
    let out = '';
    for (const k of parts) {
      if (typeof k === 'number') out += `[${k}]`;
      else if (/^[A-Za-z_$][\w$]*$/.test(k)) out += out ? `.${k}` : k;
      else out += `[${JSON.stringify(k)}]`;
    }
    return out || '(body)';
  }
}
