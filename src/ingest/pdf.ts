/**
 * @module ingest/pdf — PDF text via unpdf (PDF.js built for servers, no network, no canvas): one paragraph
 * per page, the document's Title metadata when it has one. Loaded lazily: only PDF ingestion pays for it.
 */
export async function pdfToText(bytes: Uint8Array): Promise<{ title: string | null; text: string }> {
  const { extractText, getDocumentProxy, getMeta } = await import('unpdf');
  // PDF.js takes ownership of (and detaches) the buffer it is given: hand it a copy.
  const doc = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
  try {
    const { text } = await extractText(doc, { mergePages: false });
    let title: string | null = null;
    try {
      const meta = await getMeta(doc);
      const t = (meta.info as Record<string, unknown> | undefined)?.Title;
      title = typeof t === 'string' && t.trim() ? t.trim() : null;
    } catch {
      // Metadata is optional.
    }
    return {
      title,
      text: text
        .map((page) => page.replace(/[ \t]+\n/g, '\n').trim())
        .filter(Boolean)
        .join('\n\n'),
    };
  } finally {
    await doc.loadingTask.destroy();
  }
}
