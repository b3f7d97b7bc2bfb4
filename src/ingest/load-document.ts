/**
 * @module ingest/load-document — one file's bytes → `{title, url, text}` ready for chunking, or a reason to
 * skip it. Markdown (with optional YAML front matter: `title`, `url`), plain text, HTML and PDF; the type
 * comes from the extension. Every failure is a skip with a reason, never an exception.
 */
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { decodeText } from './decode.ts';
import { htmlToText } from './html.ts';
import { pdfToText } from './pdf.ts';

export type LoadedDocument =
  | { ok: true; title: string | null; url: string | null; text: string }
  | { ok: false; reason: string };

export const supportedExtensions = ['.md', '.markdown', '.mdx', '.txt', '.text', '.html', '.htm', '.pdf'];

function frontMatter(text: string): { meta: Record<string, unknown>; body: string } {
  const m = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(text);
  if (!m) return { meta: {}, body: text };
  try {
    const meta = parseYaml(m[1]);
    return {
      meta: meta && typeof meta === 'object' && !Array.isArray(meta) ? (meta as Record<string, unknown>) : {},
      body: text.slice(m[0].length),
    };
  } catch {
    return { meta: {}, body: text };
  }
}

function firstHeading(text: string): string | null {
  return /^#\s+(.+?)\s*#*\s*$/m.exec(text)?.[1] ?? null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

export async function loadDocument(name: string, bytes: Uint8Array): Promise<LoadedDocument> {
  const ext = extname(name).toLowerCase();
  if (!supportedExtensions.includes(ext)) return { ok: false, reason: `unsupported file type '${ext || name}'` };
  if (ext === '.pdf') {
    if (bytes.length === 0) return { ok: false, reason: 'empty file' };
    try {
      const { title, text } = await pdfToText(bytes);
      if (!text.trim()) return { ok: false, reason: 'PDF has no extractable text (scanned image?)' };
      return { ok: true, title, url: null, text };
    } catch (err) {
      return { ok: false, reason: `unreadable PDF: ${(err as Error).message}` };
    }
  }
  const decoded = decodeText(bytes);
  if (!decoded.ok) return decoded;
  if (ext === '.html' || ext === '.htm') {
    const { title, text } = htmlToText(decoded.text);
    if (!text) return { ok: false, reason: 'HTML has no text' };
    return { ok: true, title: title ?? firstHeading(text), url: null, text };
  }
  const { meta, body } =
    ext === '.txt' || ext === '.text' ? { meta: {}, body: decoded.text } : frontMatter(decoded.text);
  if (!body.trim()) return { ok: false, reason: 'empty file (front matter only)' };
  return { ok: true, title: str(meta.title) ?? firstHeading(body), url: str(meta.url), text: body };
}
