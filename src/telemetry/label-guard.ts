/**
 * @module telemetry/label-guard — keeps a metric label's cardinality bounded. Known values (from config) always
 * pass; other values pass until `limit` distinct ones have been seen, after which they all read `other`. A bug
 * that leaks a user-chosen string into a label then costs at most `limit` series, not one per request.
 */
export const OTHER = 'other';

export interface LabelGuard {
  (value: string): string;
  /** Distinct values let through so far, known ones included. */
  readonly size: number;
}

export function labelGuard(limit: number, known: Iterable<string> = []): LabelGuard {
  const seen = new Set<string>(known);
  const cap = Math.max(limit, seen.size);
  const guard = (value: string): string => {
    if (seen.has(value)) return value;
    if (seen.size >= cap) return OTHER;
    seen.add(value);
    return value;
  };
  Object.defineProperty(guard, 'size', { get: () => seen.size });
  return guard as LabelGuard;
}
