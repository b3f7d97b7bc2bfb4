import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDocument } from '../../src/ingest/load-document.ts';
import { makePdf } from './fixtures.ts';

const utf8 = (s: string) => Buffer.from(s, 'utf8');

test('Markdown: front matter gives title and url; else the first heading', async () => {
  const doc = await loadDocument(
    'a.md',
    utf8('---\ntitle: Leave policy\nurl: https://intranet.example/leave\n---\n# Ignored\n\nBody.'),
  );
  assert.deepEqual(doc, {
    ok: true,
    title: 'Leave policy',
    url: 'https://intranet.example/leave',
    text: '# Ignored\n\nBody.',
  });
  const plain = await loadDocument('b.md', utf8('intro\n\n# Real title\n\nbody'));
  assert.equal(plain.ok && plain.title, 'Real title');
});

test('HTML: title, headings as #, scripts dropped, entities decoded', async () => {
  const html =
    '<html><head><title>Expenses &amp; travel</title><script>evil()</script></head><body><h2>Receipts</h2><p>Within 30&nbsp;days &lt;strict&gt;.</p></body></html>';
  const doc = await loadDocument('x.html', utf8(html));
  assert.ok(doc.ok);
  assert.equal(doc.title, 'Expenses & travel');
  assert.match(doc.text, /^## Receipts\n\nWithin 30 days <strict>\.$/);
  assert.ok(!doc.text.includes('evil'));
});

test('PDF: text and Title metadata via unpdf', async () => {
  const doc = await loadDocument(
    'p.pdf',
    makePdf(['Security policy.', 'Badges must be worn at all times.'], 'Security Handbook'),
  );
  assert.ok(doc.ok, JSON.stringify(doc));
  assert.equal(doc.title, 'Security Handbook');
  assert.match(doc.text, /Badges must be worn at all times/);
});

test('bad input is a skip with a reason, never an exception', async () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty.md', new Uint8Array(0), /empty/],
    ['blank.txt', utf8('  \n\n '), /empty/],
    ['bin.txt', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]), /binary/],
    ['latin1.txt', Buffer.from('caf\xe9 cr\xe8me', 'latin1'), /unknown encoding/],
    ['image.png', utf8('whatever'), /unsupported file type/],
    ['broken.pdf', utf8('%PDF-1.4 this is not a pdf'), /unreadable PDF|no extractable text/],
    ['empty.pdf', new Uint8Array(0), /empty/],
  ];
  for (const [name, bytes, reason] of cases) {
    const doc = await loadDocument(name, bytes);
    assert.equal(doc.ok, false, name);
    assert.match((doc as { reason: string }).reason, reason, name);
  }
});

test('UTF-16 with a BOM and UTF-8 with a BOM are read', async () => {
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('年假政策', 'utf16le')]);
  const doc = await loadDocument('zh.txt', le);
  assert.ok(doc.ok && doc.text === '年假政策');
  const bom = await loadDocument('b.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('hello')]));
  assert.ok(bom.ok && bom.text === 'hello');
});
