/**
 * @module upstream/first-chunk — reads a stream's first chunk before anything goes to the client, so that a
 * replica that dies between its headers and its first event is still retried elsewhere.
 */

/** The body with its first chunk read and replayed first; null when the body failed or ended empty. */
export async function readFirstChunk(body: AsyncIterable<Buffer>): Promise<AsyncIterable<Buffer> | null> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let first: IteratorResult<Buffer>;
  try {
    first = await it.next();
  } catch {
    return null;
  }
  if (first.done) return null;
  return {
    async *[Symbol.asyncIterator]() {
      yield first.value;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield next.value;
      }
    },
  };
}
