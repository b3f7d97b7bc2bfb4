/**
 * @module ingest/decode — bytes → text, or a reason to skip: empty, binary (NUL bytes), or an encoding that
 * is neither UTF-8 nor UTF-16 with a byte-order mark. Nothing is guessed: a wrong guess would index garbage.
 */
export type Decoded = { ok: true; text: string } | { ok: false; reason: string };

export function decodeText(bytes: Uint8Array): Decoded {
  if (bytes.length === 0) return { ok: false, reason: 'empty file' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeWith('utf-16le', bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeWith('utf-16be', bytes.subarray(2));
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return { ok: false, reason: 'binary file (NUL bytes)' };
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return decodeWith('utf-8', bytes.subarray(start));
}

function decodeWith(encoding: string, bytes: Uint8Array): Decoded {
  try {
    const text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
    if (!text.trim()) return { ok: false, reason: 'empty file (whitespace only)' };
    return { ok: true, text };
  } catch {
    return { ok: false, reason: `unknown encoding (not valid ${encoding}; convert the file to UTF-8)` };
  }
}
