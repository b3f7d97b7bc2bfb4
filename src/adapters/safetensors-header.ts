/**
 * @module adapters/safetensors-header — reads the header of a `.safetensors` file (8-byte little-endian
 * length, then that much JSON: tensor name → dtype, shape, byte offsets) without reading the tensors, and
 * checks that every tensor's bytes lie inside the file. Enough to tell "the weights load" from a truncated
 * or foreign file before vLLM is asked to load them.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface TensorInfo {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export interface SafetensorsHeader {
  tensors: Record<string, TensorInfo>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {}

const MAX_HEADER = 100 * 1024 * 1024;

export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 8) throw new SafetensorsError('shorter than the 8-byte header length');
    const lenBuf = Buffer.alloc(8);
    readSync(fd, lenBuf, 0, 8, 0);
    const len = Number(lenBuf.readBigUInt64LE(0));
    if (len <= 1 || len > MAX_HEADER || 8 + len > size)
      throw new SafetensorsError(`header length ${len} does not fit the file`);
    const json = Buffer.alloc(len);
    readSync(fd, json, 0, len, 8);
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(json.toString('utf8'));
    } catch {
      throw new SafetensorsError('header is not JSON');
    }
    const dataSize = size - 8 - len;
    const tensors: Record<string, TensorInfo> = {};
    for (const [name, v] of Object.entries(raw)) {
      if (name === '__metadata__') continue;
      const t = v as TensorInfo;
      const ok =
        t &&
        typeof t.dtype === 'string' &&
        Array.isArray(t.shape) &&
        Array.isArray(t.data_offsets) &&
        t.data_offsets.length === 2 &&
        t.data_offsets[0] <= t.data_offsets[1];
      if (!ok) throw new SafetensorsError(`tensor ${name}: malformed entry`);
      if (t.data_offsets[1] > dataSize)
        throw new SafetensorsError(`tensor ${name}: bytes past the end of the file (truncated?)`);
      tensors[name] = t;
    }
    if (Object.keys(tensors).length === 0) throw new SafetensorsError('no tensors');
    return { tensors, metadata: (raw.__metadata__ as Record<string, string>) ?? {} };
  } finally {
    closeSync(fd);
  }
}

/** Module names (the segment before `.weight`) of a model's tensors: `model.layers.0.self_attn.q_proj.weight` → q_proj. */
export function moduleNames(tensorNames: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const n of tensorNames) {
    const parts = n.split('.');
    if (parts.length >= 2 && (parts.at(-1) === 'weight' || parts.at(-1) === 'bias')) out.add(parts.at(-2)!);
  }
  return out;
}
