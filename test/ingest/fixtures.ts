/** Shared fixtures for retrieval/ingestion tests: a config on a temp LanceDB folder with the hash embedder, and a tiny PDF writer. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';

export function ragConfig(storePath: string, overrides: Record<string, unknown> = {}): Config {
  const tenant = (extra: Record<string, unknown> = {}) => ({
    strategy: { default: 'rag', allowed: ['base', 'rag'] },
    collections: ['company'],
    ...extra,
  });
  return parseConfig({
    upstreams: { base_models: [{ name: 'tiny-base', max_model_len: 4096, replicas: [{ url: 'http://127.0.0.1:9' }] }] },
    embeddings: { kind: 'hash', dimensions: 128 },
    vector_store: { kind: 'lancedb', path: storePath },
    knowledge: { chunk_tokens: 120, chunk_overlap_tokens: 20, ingest_max_bytes: 200_000 },
    tenants: { legal: tenant(), hr: tenant({ rag: { template: 'zh' } }) },
    ...overrides,
  });
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A one-page PDF (standard Helvetica, Latin-1 text) with a Title in its Info dictionary. */
export function makePdf(lines: string[], title: string): Buffer {
  const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);
  const content = `BT /F1 12 Tf 72 720 Td 16 TL ${lines.map((l) => `(${esc(l)}) Tj T*`).join(' ')} ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Title (${esc(title)}) >>`,
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(pdf, 'latin1'));
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(pdf, 'latin1');
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
