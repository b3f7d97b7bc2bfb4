/**
 * @module ingest/progress — a one-line progress bar on stderr (only when stderr is a terminal, so logs and
 * CI output stay clean), and the end-of-run summary as text.
 */
import type { IngestSummary } from './ingest.ts';

export function progressBar(stream: NodeJS.WriteStream = process.stderr) {
  const enabled = Boolean(stream.isTTY);
  let chunks = 0;
  return {
    update(p: { done: number; total: number; documentId: string; chunks: number }) {
      chunks += p.chunks;
      if (!enabled) return;
      const width = 24;
      const filled = p.total ? Math.round((p.done / p.total) * width) : width;
      const name = p.documentId.length > 40 ? `…${p.documentId.slice(-39)}` : p.documentId;
      stream.write(
        `\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} files, ${chunks} chunks  ${name}`,
      );
    },
    done() {
      if (enabled) stream.write('\r\x1b[2K');
    },
  };
}

export function formatSummary(s: IngestSummary): string {
  const lines = [
    `ingested ${s.files} file(s) into '${s.collection}' for tenant '${s.tenant}' in ${s.seconds.toFixed(2)} s`,
    `  documents: ${s.documents.added} added, ${s.documents.changed} changed, ${s.documents.unchanged} unchanged, ${s.documents.removed} removed`,
    `  chunks:    ${s.chunks.added} added, ${s.chunks.updated} updated, ${s.chunks.removed} removed, ${s.chunks.unchanged} unchanged`,
    `  skipped:   ${s.skipped.length}`,
    ...s.skipped.map((x) => `    - ${x.path}: ${x.reason}`),
  ];
  if (s.failed.length)
    lines.push(`  failed:    ${s.failed.length}`, ...s.failed.map((x) => `    - ${x.path}: ${x.reason}`));
  lines.push(`  revision:  ${s.revision ?? 'unchanged'}`);
  return `${lines.join('\n')}\n`;
}
