/**
 * @module adapters/validate-adapter — checks a PEFT LoRA folder before it is registered, so that no tenant
 * request is the first to find out: `adapter_config.json` is a LoRA config whose base model is one the
 * replicas serve (by served name or by the `root` path vLLM reports), whose rank (and every rank_pattern
 * rank) is within the replicas' `--max-lora-rank`, whose target modules exist in the base model (when the
 * base's weights or architecture are known here), and whose weights load (safetensors header readable,
 * every tensor inside the file, lora_A ranks as configured). Returns every reason at once.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { moduleNames, readSafetensorsHeader, SafetensorsError } from './safetensors-header.ts';

export interface AdapterTarget {
  /** Names the base model goes by: the served name(s) and vLLM's `root` (the --model path or HF id). */
  baseModels: string[];
  /** The replicas' --max-lora-rank. */
  maxLoraRank: number;
  /** A local folder with the base model's weights (config.json + *.safetensors), when this machine has it. */
  baseDir?: string;
}

export interface AdapterCheck {
  ok: boolean;
  reasons: string[];
  /** Notes that do not refuse (e.g. target modules could not be checked). */
  notes: string[];
  rank: number | null;
  baseModel: string | null;
  targetModules: string[];
}

/** Linear layers of the decoder families vLLM serves LoRA for, when the base's weights are not at hand. */
const KNOWN_MODULES: Record<string, string[]> = {
  llama: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj', 'lm_head', 'embed_tokens'],
};
const FAMILY: Record<string, string> = {
  LlamaForCausalLM: 'llama',
  MistralForCausalLM: 'llama',
  Qwen2ForCausalLM: 'llama',
  Qwen3ForCausalLM: 'llama',
};

function readJson(file: string): Record<string, unknown> | string {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    return existsSync(file) ? `not valid JSON (${(err as Error).message})` : 'missing';
  }
}

function baseModules(baseDir: string | undefined): Set<string> | null {
  if (!baseDir || !existsSync(baseDir)) return null;
  const weights = join(baseDir, 'model.safetensors');
  if (existsSync(weights)) {
    try {
      return moduleNames(Object.keys(readSafetensorsHeader(weights).tensors));
    } catch {
      return null;
    }
  }
  const index = readJson(join(baseDir, 'model.safetensors.index.json'));
  if (typeof index === 'object' && index.weight_map) return moduleNames(Object.keys(index.weight_map as object));
  const cfg = readJson(join(baseDir, 'config.json'));
  const arch = typeof cfg === 'object' ? (cfg.architectures as string[] | undefined)?.[0] : undefined;
  const family = arch && FAMILY[arch];
  return family ? new Set(KNOWN_MODULES[family]) : null;
}

/** Names without trailing slashes, so `/m/base/` and `/m/base` are one model. */
const norm = (s: string) => s.replace(/\/+$/, '');

export function validateAdapterDir(dir: string, target: AdapterTarget): AdapterCheck {
  const out: AdapterCheck = { ok: false, reasons: [], notes: [], rank: null, baseModel: null, targetModules: [] };
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    out.reasons.push('not a folder');
    return out;
  }
  const cfg = readJson(join(dir, 'adapter_config.json'));
  if (typeof cfg === 'string') {
    out.reasons.push(`adapter_config.json: ${cfg}`);
    return out;
  }
  if (cfg.peft_type !== 'LORA')
    out.reasons.push(`adapter_config.json: peft_type is ${JSON.stringify(cfg.peft_type)}, not "LORA"`);
  const base = typeof cfg.base_model_name_or_path === 'string' ? cfg.base_model_name_or_path : null;
  out.baseModel = base;
  const accepted = target.baseModels.map(norm);
  if (!base) out.reasons.push('adapter_config.json: no base_model_name_or_path');
  else if (!accepted.includes(norm(base)))
    out.reasons.push(
      `trained for base model ${base}; the replicas serve ${[...new Set(target.baseModels)].join(' / ')}`,
    );

  const r = typeof cfg.r === 'number' ? cfg.r : null;
  out.rank = r;
  const ranks = [r, ...Object.values((cfg.rank_pattern as Record<string, number>) ?? {})].filter(
    (x): x is number => typeof x === 'number',
  );
  if (r === null || !Number.isInteger(r) || r < 1)
    out.reasons.push(`adapter_config.json: rank r=${JSON.stringify(cfg.r)} is not a positive integer`);
  const over = Math.max(0, ...ranks);
  if (over > target.maxLoraRank)
    out.reasons.push(`rank ${over} is over the replicas' --max-lora-rank ${target.maxLoraRank}`);

  const tm = cfg.target_modules;
  const targets = Array.isArray(tm) ? tm.map(String) : typeof tm === 'string' ? [tm] : [];
  out.targetModules = targets;
  if (targets.length === 0) out.reasons.push('adapter_config.json: no target_modules');
  const known = baseModules(target.baseDir);
  if (known && !(typeof tm === 'string' && tm !== 'all-linear' && /[\\^$*+?()[\]|]/.test(tm))) {
    const missing = targets.filter((t) => t !== 'all-linear' && !known.has(t));
    if (missing.length) out.reasons.push(`target modules not in the base model: ${missing.join(', ')}`);
  } else if (!known) out.notes.push('target modules not checked: the base model is not readable here');

  const weights = join(dir, 'adapter_model.safetensors');
  if (!existsSync(weights)) {
    out.reasons.push(
      existsSync(join(dir, 'adapter_model.bin'))
        ? 'weights are adapter_model.bin; vLLM needs adapter_model.safetensors'
        : 'adapter_model.safetensors: missing',
    );
  } else {
    try {
      const { tensors } = readSafetensorsHeader(weights);
      const loraA = Object.entries(tensors).filter(([n]) => n.includes('lora_A'));
      if (loraA.length === 0) out.reasons.push('adapter_model.safetensors: no lora_A tensors');
      const rankOf = new Set(loraA.map(([, t]) => t.shape[0]));
      if (
        r !== null &&
        Object.keys((cfg.rank_pattern as object) ?? {}).length === 0 &&
        [...rankOf].some((x) => x !== r)
      )
        out.reasons.push(`adapter_model.safetensors: lora_A ranks ${[...rankOf].join(',')} do not match r=${r}`);
      const inWeights = moduleNames(loraA.map(([n]) => n.replace(/\.lora_A(\.[^.]+)?\.weight$/, '.weight')));
      const strays = [...inWeights].filter(
        (m) => targets.length && !targets.includes(m) && !targets.includes('all-linear'),
      );
      if (strays.length && !(typeof tm === 'string'))
        out.notes.push(`weights for modules outside target_modules: ${strays.join(', ')}`);
    } catch (err) {
      out.reasons.push(
        `adapter_model.safetensors: ${err instanceof SafetensorsError ? err.message : (err as Error).message}`,
      );
    }
  }
  out.ok = out.reasons.length === 0;
  return out;
}
