/**
 * @module rag/point-id — stable chunk ids: UUIDv5 (RFC 9562, SHA-1) of collection, tenant, document id and
 * the chunk's content hash. The tenant is part of the name because tenants share collections: the same file
 * ingested by two tenants must give two points. Qdrant accepts only uint64 or UUID point ids.
 */
import { createHash } from 'node:crypto';

/** A fixed namespace for lorag's chunk ids (itself a UUIDv5 of "lorag" in the URL namespace). */
const namespace = Buffer.from('6f1c3a4e5b8d5c1f9a2e4b7d8c9e0f11', 'hex');

export function uuidv5(name: string, ns: Buffer = namespace): string {
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function chunkId(collection: string, tenant: string, documentId: string, contentHash: string): string {
  return uuidv5(JSON.stringify([collection, tenant, documentId, contentHash]));
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}
