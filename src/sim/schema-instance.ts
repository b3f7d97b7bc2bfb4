/**
 * @module sim/schema-instance — a deterministic JSON document valid against a JSON schema: what the simulator
 * "generates" under structured outputs (vLLM constrains decoding with xgrammar/guidance, so a real model's
 * output is always valid against the schema; ours is too, and the same request always gets the same document).
 *
 * Rules, in the schema's own property order (xgrammar keeps it): every property of an object is present
 * (strict schemas require all of them anyway); `enum`/`const` → the first value; strings → the `text` given
 * (the simulator's reply head, so tests can still read model and digest) cut to maxLength and padded to
 * minLength, or a fixed value for `format` date-time/date/time/email/uri/uuid; numbers → 0 clamped into
 * [minimum, maximum] (exclusive bounds and integer multipleOf honoured); booleans → true; arrays →
 * max(minItems, 1) items capped by maxItems (prefixItems first); anyOf/oneOf → the first branch that is not
 * `null`; allOf → the branches merged; `$ref` → `#`, `#/$defs/…`, `#/definitions/…`. A schema it cannot
 * satisfy (a `pattern` it does not match, an unresolvable `$ref`, `not`) throws `SchemaInstanceError`, and the
 * simulator answers 400 as vLLM does for a grammar it cannot compile.
 */

export class SchemaInstanceError extends Error {}

type Schema = Record<string, unknown> | boolean;

const FORMATS: Record<string, string> = {
  'date-time': '2026-01-01T00:00:00Z',
  date: '2026-01-01',
  time: '00:00:00Z',
  email: 'sim@example.com',
  uri: 'https://example.com/sim',
  url: 'https://example.com/sim',
  uuid: '00000000-0000-4000-8000-000000000000',
  hostname: 'example.com',
  ipv4: '127.0.0.1',
};

export function schemaInstance(root: Schema, text: string): unknown {
  return new Builder(root, text).build(root, 0);
}

class Builder {
  readonly root: Schema;
  readonly text: string;
  constructor(root: Schema, text: string) {
    this.root = root;
    this.text = text;
  }

  build(schema: Schema, depth: number): unknown {
    if (depth > 32) throw new SchemaInstanceError('schema nests too deeply (recursive $ref without a base case?)');
    if (schema === true) return this.text;
    if (schema === false) throw new SchemaInstanceError('schema `false` admits no value');
    if (!schema || typeof schema !== 'object') throw new SchemaInstanceError('a schema must be an object');
    const s = schema as Record<string, unknown>;
    if (typeof s.$ref === 'string') return this.build(this.resolve(s.$ref), depth + 1);
    if ('not' in s) throw new SchemaInstanceError('`not` is not supported');
    if ('const' in s) return s.const;
    if (Array.isArray(s.enum)) {
      if (s.enum.length === 0) throw new SchemaInstanceError('empty enum');
      return s.enum[0];
    }
    if (Array.isArray(s.allOf)) return this.build(mergeAll(s.allOf as Schema[], s), depth + 1);
    for (const k of ['anyOf', 'oneOf'] as const) {
      const branches = s[k];
      if (Array.isArray(branches) && branches.length > 0) {
        const pick = branches.find(
          (b) => !(b && typeof b === 'object' && (b as Record<string, unknown>).type === 'null'),
        );
        return this.build((pick ?? branches[0]) as Schema, depth + 1);
      }
    }
    const type = pickType(s);
    switch (type) {
      case 'object':
        return this.object(s, depth);
      case 'array':
        return this.array(s, depth);
      case 'string':
        return this.string(s);
      case 'integer':
      case 'number':
        return number(s, type === 'integer');
      case 'boolean':
        return true;
      case 'null':
        return null;
      default:
        throw new SchemaInstanceError(`unsupported type ${JSON.stringify(type)}`);
    }
  }

  resolve(ref: string): Schema {
    if (ref === '#') return this.root;
    const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
    const defs = m && typeof this.root === 'object' ? (this.root as Record<string, unknown>)[m[1]] : undefined;
    const target =
      m && defs && typeof defs === 'object' ? (defs as Record<string, unknown>)[decodePointer(m[2])] : undefined;
    if (target === undefined) throw new SchemaInstanceError(`cannot resolve $ref ${ref}`);
    return target as Schema;
  }

  object(s: Record<string, unknown>, depth: number): Record<string, unknown> {
    const props = (s.properties ?? {}) as Record<string, Schema>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) out[k] = this.build(v, depth + 1);
    for (const r of Array.isArray(s.required) ? (s.required as string[]) : []) {
      if (!(r in out)) out[r] = this.text;
    }
    return out;
  }

  array(s: Record<string, unknown>, depth: number): unknown[] {
    const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as Schema[]) : [];
    const min = typeof s.minItems === 'number' ? s.minItems : 0;
    const max = typeof s.maxItems === 'number' ? s.maxItems : Number.POSITIVE_INFINITY;
    const count = Math.min(Math.max(min, 1, prefix.length), max);
    const items = (s.items ?? true) as Schema;
    return Array.from({ length: count }, (_, i) => this.build(prefix[i] ?? items, depth + 1));
  }

  string(s: Record<string, unknown>): string {
    let v = typeof s.format === 'string' && FORMATS[s.format] ? FORMATS[s.format] : this.text;
    const max = typeof s.maxLength === 'number' ? s.maxLength : Number.POSITIVE_INFINITY;
    const min = typeof s.minLength === 'number' ? s.minLength : 0;
    const chars = [...v];
    v = chars.slice(0, max).join('');
    while ([...v].length < min) v += 'x';
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) {
      throw new SchemaInstanceError(`cannot generate a string matching pattern ${s.pattern}`);
    }
    return v;
  }
}

function pickType(s: Record<string, unknown>): string {
  if (Array.isArray(s.type)) return (s.type as string[]).find((t) => t !== 'null') ?? 'null';
  if (typeof s.type === 'string') return s.type;
  if (s.properties || s.required || s.additionalProperties !== undefined) return 'object';
  if (s.items || s.prefixItems) return 'array';
  return 'string';
}

function number(s: Record<string, unknown>, integer: boolean): number {
  let lo = typeof s.minimum === 'number' ? s.minimum : Number.NEGATIVE_INFINITY;
  let hi = typeof s.maximum === 'number' ? s.maximum : Number.POSITIVE_INFINITY;
  const step = integer ? 1 : 0.5;
  if (typeof s.exclusiveMinimum === 'number') lo = Math.max(lo, s.exclusiveMinimum + step);
  if (typeof s.exclusiveMaximum === 'number') hi = Math.min(hi, s.exclusiveMaximum - step);
  let v = Math.min(Math.max(0, lo), hi);
  if (integer) v = Math.ceil(v);
  const mult = s.multipleOf;
  if (typeof mult === 'number' && mult > 0) v = Math.ceil(v / mult) * mult;
  if (v < lo || v > hi) throw new SchemaInstanceError('no number satisfies the bounds');
  return v;
}

function mergeAll(branches: Schema[], outer: Record<string, unknown>): Schema {
  const merged: Record<string, unknown> = { ...outer };
  delete merged.allOf;
  for (const b of branches) {
    if (!b || typeof b !== 'object') continue;
    for (const [k, v] of Object.entries(b)) {
      if (k === 'properties') merged.properties = { ...(merged.properties as object), ...(v as object) };
      else if (k === 'required') merged.required = [...((merged.required as string[]) ?? []), ...(v as string[])];
      else merged[k] = v;
    }
  }
  return merged;
}

function decodePointer(p: string): string {
  return p.replaceAll('~1', '/').replaceAll('~0', '~');
}
