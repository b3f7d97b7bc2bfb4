/**
 * @module auth/keys — API keys are stored only as sha256 hashes; a presented key is hashed and compared in
 * constant time against the stored digest.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** A new key: `sk-lorag-<tenant>-<40 random base62-ish chars>`; only its hash goes into the config. */
export function generateKey(tenant: string): string {
  return `sk-lorag-${tenant}-${randomBytes(30).toString('base64url')}`;
}

export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
