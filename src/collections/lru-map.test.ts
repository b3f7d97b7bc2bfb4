import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LruMap } from './lru-map.ts';

describe('LruMap', () => {
  it('keeps write/touch order and evicts the least recent first', () => {
    const m = new LruMap<string, number>();
    m.set('a', 1).set('b', 2).set('c', 3);
    m.touch('a');
    m.set('b', 20);
    assert.deepEqual(
      [...m.entries()],
      [
        ['c', 3],
        ['a', 1],
        ['b', 20],
      ],
    );
    assert.equal(m.oldestKey(), 'c');
    assert.deepEqual(m.shift(), ['c', 3]);
    assert.equal(m.get('b'), 20);
    assert.equal(m.touch('zz'), false);
    assert.equal(m.delete('a'), true);
    assert.equal(m.delete('a'), false);
    assert.deepEqual([...m.keys()], ['b']);
    m.clear();
    assert.equal(m.size, 0);
    assert.equal(m.shift(), undefined);
  });

  it('deleting while iterating visits every other entry once', () => {
    const m = new LruMap<number, number>();
    for (let i = 0; i < 5; i++) m.set(i, i);
    const seen: number[] = [];
    for (const [k] of m.entries()) {
      seen.push(k);
      m.delete(k);
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    assert.equal(m.size, 0);
  });

  it('behaves like an insertion-ordered Map with delete+set as touch (model check)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(8), value: fc.integer() }),
      fc.record({ kind: fc.constant('touch' as const), key: fc.nat(8) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.nat(8) }),
      fc.record({ kind: fc.constant('shift' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const lru = new LruMap<number, number>();
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            lru.set(o.key, o.value);
            model.delete(o.key);
            model.set(o.key, o.value);
          } else if (o.kind === 'touch') {
            assert.equal(lru.touch(o.key), model.has(o.key));
            if (model.has(o.key)) {
              const v = model.get(o.key)!;
              model.delete(o.key);
              model.set(o.key, v);
            }
          } else if (o.kind === 'delete') {
            assert.equal(lru.delete(o.key), model.delete(o.key));
          } else {
            const first = model.entries().next();
            assert.deepEqual(lru.shift(), first.done ? undefined : first.value);
            if (!first.done) model.delete(first.value[0]);
          }
          assert.deepEqual([...lru.entries()], [...model.entries()]);
          assert.equal(lru.size, model.size);
        }
      }),
    );
  });
});
