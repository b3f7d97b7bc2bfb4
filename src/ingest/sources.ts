/**
 * @module ingest/sources — paths on disk → ingestion sources. A directory is walked (sorted, dot-entries
 * skipped, symlink loops cut); each file's document id is its path relative to the directory given (for a
 * file given directly, its name), with `/` separators, so re-ingesting the same folder yields the same ids.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';

export interface IngestSource {
  documentId: string;
  /** File name used for the type (extension) and in messages. */
  name: string;
  size: number;
  read(): Promise<Uint8Array>;
}

export interface WalkResult {
  sources: IngestSource[];
  skipped: { path: string; reason: string }[];
}

export async function walkPaths(paths: string[]): Promise<WalkResult> {
  const sources: IngestSource[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const seenDirs = new Set<string>();

  const addFile = (file: string, documentId: string, size: number) => {
    sources.push({ documentId, name: file, size, read: () => readFile(file) });
  };

  async function walk(dir: string, root: string): Promise<void> {
    const real = await realpath(dir);
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    const entries = (await readdir(dir)).sort();
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      const full = join(dir, entry);
      try {
        const st = await stat(full);
        if (st.isDirectory()) await walk(full, root);
        else if (st.isFile()) addFile(full, relative(root, full).split(sep).join('/'), st.size);
      } catch (err) {
        skipped.push({
          path: full,
          reason: `unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        });
      }
    }
  }

  for (const p of paths) {
    try {
      const st = await stat(p);
      if (st.isDirectory()) await walk(p, p);
      else if (st.isFile()) addFile(p, basename(p), st.size);
      else skipped.push({ path: p, reason: 'not a regular file or directory' });
    } catch (err) {
      skipped.push({ path: p, reason: `unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    }
  }
  return { sources, skipped };
}
