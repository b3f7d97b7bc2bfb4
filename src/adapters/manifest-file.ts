/**
 * @module adapters/manifest-file — persists admin changes (a new version, a retirement, a split) by
 * rewriting `<dir>/<name>/adapter.yaml` in place: only `versions` and `split` change, so comments and the
 * other fields survive. Written to a temp file and renamed, so a reader never sees half a manifest.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { AdapterManifest } from './manifest.ts';

export function manifestPath(dir: string, name: string): string {
  return join(dir, name, 'adapter.yaml');
}

export function writeManifest(dir: string, manifest: AdapterManifest): void {
  const file = manifestPath(dir, manifest.name);
  const doc = parseDocument(readFileSync(file, 'utf8'));
  // `retired: false` is the default; leave it out so untouched versions read as they were written.
  doc.set(
    'versions',
    manifest.versions.map(({ retired, rank, ...v }) => ({
      ...v,
      ...(rank === undefined ? {} : { rank }),
      ...(retired ? { retired } : {}),
    })),
  );
  if (manifest.split) doc.set('split', manifest.split);
  else doc.delete('split');
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, doc.toString());
  renameSync(tmp, file);
}
