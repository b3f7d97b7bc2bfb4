/**
 * @module eval/metrics/stats — mean and percentiles (NumPy's default linear interpolation), and the paired
 * bootstrap: resample cases with replacement (the same indices for both systems), recompute the aggregate of
 * each, and take the 2.5th and 97.5th percentiles of the difference. A difference whose interval contains 0
 * is "no measurable difference". Seeded, so a report is reproducible.
 */

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
}

/** numpy.percentile(xs, p) with the default 'linear' method; p in 0..100. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const idx = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(idx);
  const hi = Math.ceil(idx);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (idx - lo);
}

/** mulberry32: a small seeded PRNG, good enough for resampling. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PairedComparison {
  /** aggregate(a) and aggregate(b) on all cases. */
  a: number;
  b: number;
  /** a − b */
  delta: number;
  /** 95% interval of a − b. */
  low: number;
  high: number;
  /** The interval excludes 0. */
  measurable: boolean;
  n: number;
}

export function pairedBootstrap<T>(
  a: T[],
  b: T[],
  aggregate: (xs: T[]) => number,
  options: { resamples?: number; seed?: number } = {},
): PairedComparison {
  if (a.length !== b.length) throw new Error('paired bootstrap needs the same cases on both sides');
  const n = a.length;
  const va = aggregate(a);
  const vb = aggregate(b);
  const resamples = options.resamples ?? 1000;
  const random = seededRandom(options.seed ?? 12345);
  const deltas: number[] = [];
  if (n > 0) {
    const sa = new Array<T>(n);
    const sb = new Array<T>(n);
    for (let r = 0; r < resamples; r++) {
      for (let i = 0; i < n; i++) {
        const k = Math.floor(random() * n);
        sa[i] = a[k];
        sb[i] = b[k];
      }
      deltas.push(aggregate(sa) - aggregate(sb));
    }
  }
  const low = percentile(deltas, 2.5);
  const high = percentile(deltas, 97.5);
  return { a: va, b: vb, delta: va - vb, low, high, measurable: low > 0 || high < 0, n };
}

/** Percentile bootstrap 95% interval of one system's aggregate (resampling its cases). */
export function bootstrapInterval<T>(
  xs: T[],
  aggregate: (xs: T[]) => number,
  options: { resamples?: number; seed?: number } = {},
): { value: number; low: number; high: number } {
  const value = aggregate(xs);
  if (xs.length === 0) return { value, low: Number.NaN, high: Number.NaN };
  const random = seededRandom(options.seed ?? 54321);
  const values: number[] = [];
  const sample = new Array<T>(xs.length);
  for (let r = 0; r < (options.resamples ?? 1000); r++) {
    for (let i = 0; i < xs.length; i++) sample[i] = xs[Math.floor(random() * xs.length)];
    values.push(aggregate(sample));
  }
  return { value, low: percentile(values, 2.5), high: percentile(values, 97.5) };
}
