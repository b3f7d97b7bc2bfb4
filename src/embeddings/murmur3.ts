/**
 * @module rag/murmur3 — MurmurHash3 x86 32-bit over UTF-8 bytes, and the token id Qdrant's BM25 uses:
 * `murmur3_32(token, seed 0)` read as i32, then its absolute value (Qdrant `lib/bm25` `token_id`,
 * FastEmbed `abs(mmh3.hash(token))`).
 */
const encoder = new TextEncoder();

export function murmur3(data: Uint8Array | string, seed = 0): number {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = bytes.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = bytes.length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[blocks + 2] << 16;
    if (tail >= 2) k ^= bytes[blocks + 1] << 8;
    k ^= bytes[blocks];
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Qdrant/fastembed's sparse index of a token: |murmur3 as i32| (2^31 for i32::MIN, as Rust's unsigned_abs). */
export function tokenId(token: string): number {
  return Math.abs(murmur3(token) | 0);
}
