/**
 * Contract of AdminStateStore (src/adapters/admin-state.ts), run against the in-process store and the Redis
 * store: `make()` returns two store instances over one backing store (two gateway processes). Revisions
 * count up from 0; a change written by one is read and watched by the other, also by one that starts
 * watching later; concurrent updates from both are all kept (none overwrites another); a throw in the change
 * stores nothing; what a caller holds cannot change the stored state.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AdminSnapshot, AdminState, AdminStateStore } from '../../src/adapters/admin-state.ts';

const addAudit = (action: string) => (s: AdminState) => ({
  ...s,
  audit: [...s.audit, { at: new Date(0).toISOString(), by: 'test', action, detail: {} }],
});

function nextSnapshot(store: AdminStateStore, pred: (s: AdminSnapshot) => boolean): Promise<AdminSnapshot> {
  return new Promise((resolve) => {
    const stop = store.watch((s) => {
      if (!pred(s)) return;
      stop();
      resolve(s);
    });
  });
}

export function adminStateStoreContract(
  name: string,
  make: () => Promise<{ stores: [AdminStateStore, AdminStateStore]; close?(): Promise<void> }>,
): void {
  test(`${name}: starts empty at revision 0; each update adds 1 and is read by the other instance`, async () => {
    const { stores, close } = await make();
    try {
      const [a, b] = stores;
      const first = await a.read();
      assert.equal(first.revision, 0);
      assert.deepEqual(first.state, { adapters: {}, drained: {}, audit: [] });
      const s1 = await a.update((s) => ({ ...s, drained: { 'http://r1': true } }));
      assert.equal(s1.revision, 1);
      const s2 = await b.update(addAudit('x'));
      assert.equal(s2.revision, 2);
      assert.deepEqual(s2.state.drained, { 'http://r1': true }, 'b built on a’s change');
      const seen = await a.read();
      assert.equal(seen.revision, 2);
      assert.equal(seen.state.audit[0].action, 'x');
    } finally {
      await close?.();
    }
  });

  test(`${name}: a watcher gets the other instance's change, and a late watcher gets the stored state`, async () => {
    const { stores, close } = await make();
    try {
      const [a, b] = stores;
      const got = nextSnapshot(b, (s) => s.state.drained['http://r2'] === true);
      await a.update((s) => ({ ...s, drained: { 'http://r2': true } }));
      const snap = await got;
      assert.equal(snap.state.drained['http://r2'], true);
      // Starts watching after the change: still delivered.
      const late = await nextSnapshot(a, (s) => s.revision >= snap.revision);
      assert.equal(late.state.drained['http://r2'], true);
    } finally {
      await close?.();
    }
  });

  test(`${name}: 20 concurrent updates from both instances are all kept`, async () => {
    const { stores, close } = await make();
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2].update(addAudit(`a${i}`))));
      const revisions = results.map((r) => r.revision).sort((x, y) => x - y);
      assert.deepEqual(
        revisions,
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      const final = await stores[0].read();
      assert.deepEqual(
        final.state.audit.map((e) => e.action).sort(),
        Array.from({ length: 20 }, (_, i) => `a${i}`).sort(),
      );
    } finally {
      await close?.();
    }
  });

  test(`${name}: a throwing change stores nothing; mutating a returned snapshot changes nothing stored`, async () => {
    const { stores, close } = await make();
    try {
      const [a, b] = stores;
      const s1 = await a.update(addAudit('kept'));
      await assert.rejects(
        a.update(() => {
          throw new Error('refused');
        }),
        /refused/,
      );
      s1.state.audit.push({ at: 'x', by: 'x', action: 'injected', detail: {} });
      const now = await b.read();
      assert.equal(now.revision, s1.revision);
      assert.deepEqual(
        now.state.audit.map((e) => e.action),
        ['kept'],
      );
    } finally {
      await close?.();
    }
  });

  test(`${name}: an update that yields an invalid state is refused`, async () => {
    const { stores, close } = await make();
    try {
      await assert.rejects(stores[0].update((s) => ({ ...s, drained: { x: 'yes' as unknown as boolean } })));
      assert.equal((await stores[1].read()).revision, 0);
    } finally {
      await close?.();
    }
  });
}
