/**
 * A PEFT LoRA folder written from TypeScript (adapter_config.json + a real safetensors file with lora_A/lora_B
 * tensors of the configured rank) and a base-model folder whose weights name the usual Llama modules, so the
 * validator and the registration path can be tested without Python.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function safetensors(tensors: Record<string, number[]>): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, shape] of Object.entries(tensors)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(offset)]);
}

const MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];

export interface PeftOptions {
  baseModel?: string;
  rank?: number;
  targetModules?: string[];
  /** Rank of the tensors actually written (default: rank). */
  weightRank?: number;
}

export function writePeftAdapter(dir: string, o: PeftOptions = {}): string {
  const rank = o.rank ?? 8;
  const targets = o.targetModules ?? ['q_proj', 'v_proj'];
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'adapter_config.json'),
    JSON.stringify({
      peft_type: 'LORA',
      base_model_name_or_path: o.baseModel ?? 'tiny-base',
      r: rank,
      lora_alpha: 16,
      target_modules: targets,
      task_type: 'CAUSAL_LM',
    }),
  );
  const tensors: Record<string, number[]> = {};
  for (const m of targets) {
    tensors[`base_model.model.model.layers.0.self_attn.${m}.lora_A.weight`] = [o.weightRank ?? rank, 16];
    tensors[`base_model.model.model.layers.0.self_attn.${m}.lora_B.weight`] = [16, o.weightRank ?? rank];
  }
  writeFileSync(join(dir, 'adapter_model.safetensors'), safetensors(tensors));
  return dir;
}

export function writeBaseModel(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'] }));
  const tensors: Record<string, number[]> = { 'model.embed_tokens.weight': [4, 16] };
  for (const m of MODULES) tensors[`model.layers.0.self_attn.${m}.weight`] = [16, 16];
  writeFileSync(join(dir, 'model.safetensors'), safetensors(tensors));
  return dir;
}

export function tempDir(prefix = 'lorag-peft-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
