/**
 * @module load/bench/lru-eviction — why the bounded stores use LruMap: the cost of one insert into a store
 * that is full and evicts its oldest entry, with a plain Map (`keys().next()` walks V8's deleted-entry holes)
 * and with LruMap, as the store fills and then churns. Usage: node load/bench/lru-eviction.ts [--size 100000]
 */
import { LruMap } from '../../src/collections/lru-map.ts';

const sizeFlag = process.argv.indexOf('--size');
const size = sizeFlag > 0 ? Number(process.argv[sizeFlag + 1]) : 100_000;
const rounds = 6;

function measure(name: string, insert: (i: number) => void): number[] {
  const perRound: number[] = [];
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let n = 0; n < size; n++) insert(i++);
    perRound.push(Number(process.hrtime.bigint() - start) / 1000 / size);
  }
  console.log(`${name.padEnd(34)} ${perRound.map((us) => us.toFixed(2).padStart(7)).join(' ')}  µs/insert`);
  return perRound;
}

console.log(`inserts into a store bounded at ${size} entries, per round of ${size} (round 1 fills it)`);
const plain = new Map<string, number>();
const a = measure('Map + delete(keys().next())', (i) => {
  plain.set(`id${i}`, i);
  if (plain.size > size) plain.delete(plain.keys().next().value!);
});
const lru = new LruMap<string, number>();
const b = measure('LruMap + shift()', (i) => {
  lru.set(`id${i}`, i);
  if (lru.size > size) lru.shift();
});
const churn = (xs: number[]) => xs.slice(1).reduce((s, x) => s + x, 0) / (xs.length - 1);
console.log(
  `once full: Map ${churn(a).toFixed(2)} µs, LruMap ${churn(b).toFixed(2)} µs → ${(churn(a) / churn(b)).toFixed(0)}×`,
);
