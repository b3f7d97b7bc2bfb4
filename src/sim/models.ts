/**
 * @module sim/models — the served names and the LoRA registry (unbounded, in registration order, as
 * vLLM's `lora_requests` dict), model resolution for requests, and `/v1/models` cards (vllm.md §1, §3).
 */
import { randomUUID } from 'node:crypto';
import { unknownModel } from './errors.ts';

export interface LoraEntry {
  name: string;
  path: string;
  parent: string;
  intId: number;
}

export interface ModelRegistry {
  root: string;
  served: string[];
  adapters: Map<string, LoraEntry>;
  nextIntId: number;
}

export function createRegistry(root: string, served: string[]): ModelRegistry {
  return { root, served, adapters: new Map(), nextIntId: 1 };
}

/** `base_model_name` counts only when it is a served name; otherwise the parent is the first served name. */
export function registerAdapter(
  reg: ModelRegistry,
  name: string,
  path: string,
  baseModelName?: string | null,
): LoraEntry {
  const existing = reg.adapters.get(name);
  const parent = baseModelName && reg.served.includes(baseModelName) ? baseModelName : reg.served[0];
  // An in-place reload keeps its lora_int_id (vLLM main).
  const entry = { name, path, parent, intId: existing?.intId ?? reg.nextIntId++ };
  reg.adapters.set(name, entry);
  return entry;
}

export type Resolved = { echo: string; lora: LoraEntry | null };

/** vLLM `_check_model`: absent/empty → base; served name → base; registered adapter → that adapter; else 404. */
export function resolveModel(reg: ModelRegistry, requested: unknown): Resolved {
  if (requested === undefined || requested === null || requested === '') return { echo: reg.served[0], lora: null };
  const name = String(requested);
  if (reg.served.includes(name)) return { echo: reg.served[0], lora: null };
  const lora = reg.adapters.get(name);
  if (lora) return { echo: lora.name, lora };
  throw unknownModel(name);
}

function card(id: string, root: string | null, parent: string | null, maxModelLen: number | null, created: number) {
  return {
    id,
    object: 'model',
    created,
    owned_by: 'vllm',
    root,
    parent,
    max_model_len: maxModelLen,
    permission: [
      {
        id: `modelperm-${randomUUID().replaceAll('-', '')}`,
        object: 'model_permission',
        created,
        allow_create_engine: false,
        allow_sampling: true,
        allow_logprobs: true,
        allow_search_indices: false,
        allow_view: true,
        allow_fine_tuning: false,
        organization: '*',
        group: null,
        is_blocking: false,
      },
    ],
  };
}

export function modelList(reg: ModelRegistry, maxModelLen: number) {
  const created = Math.floor(Date.now() / 1000);
  const data = [
    ...reg.served.map((name) => card(name, reg.root, null, maxModelLen, created)),
    ...[...reg.adapters.values()].map((a) => card(a.name, a.path, a.parent, null, created)),
  ];
  return { object: 'list', data };
}
