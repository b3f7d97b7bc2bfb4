/**
 * @module sim/options — the simulator's options (zod schema, the single source of its types) and the
 * vLLM-style command line parser behind `lorag sim`.
 */
import { z } from 'zod';
import { parseLoraModules } from './lora-modules.ts';

// vLLM v0.11 only accepts these ranks for --max-lora-rank (config/lora.py).
const LORA_RANKS = [1, 8, 16, 32, 64, 128, 256, 320, 512];

export const loraModuleSchema = z.object({
  name: z.string().min(1),
  path: z.string().min(1),
  base_model_name: z.string().nullish(),
});
export type LoraModule = z.infer<typeof loraModuleSchema>;

const nonNegative = z.number().finite().min(0);
const positiveInt = z.number().int().min(1);

export const simOptionsSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8000),
    /** `--model`: the model id/path; the `root` of the base cards. */
    model: z.string().min(1).default('tiny-base'),
    /** `--served-model-name`: aliases; defaults to [model]. The first one is echoed in responses. */
    servedModelNames: z.array(z.string().min(1)).min(1).optional(),
    maxModelLen: positiveInt.default(2048),
    maxLoras: positiveInt.default(1),
    maxLoraRank: z
      .number()
      .int()
      .refine((r) => LORA_RANKS.includes(r), `must be one of ${LORA_RANKS.join(', ')}`)
      .default(16),
    maxNumSeqs: positiveInt.default(256),
    loraModules: z.array(loraModuleSchema).default([]),
    ttftMs: nonNegative.default(0),
    itlMs: nonNegative.default(0),
    loadMs: nonNegative.default(0),
    failureRate: z.number().min(0).max(1).default(0),
    /** Fault injection: stop after N stream steps (a JSON answer: never send it) and hold the connection. */
    stallAfterChunks: z.number().int().min(0).optional(),
    seed: z.number().int().default(0),
    vllmCompat: z.enum(['current', 'legacy']).default('current'),
    embeddingDim: positiveInt.default(384),
    /** Natural reply length in tokens when the request sets no limit (a real model stops on its own). */
    outputTokens: positiveInt.default(32),
    /** KV-cache capacity in tokens, the denominator of kv_cache_usage_perc. */
    kvCacheTokens: positiveInt.optional(),
    replicaId: z.string().min(1).optional(),
    /**
     * `--tool-call-parser`: the simulator acts as vLLM run with a parser (hermes by default) so tool calls
     * work; `null` (flag value `none`) is plain vLLM, where any tool_choice but `none` is a 400.
     */
    toolCallParser: z.string().min(1).nullable().default('hermes'),
    /** `--enable-auto-tool-choice`: needed (with a parser) for tool_choice `auto`. */
    enableAutoToolChoice: z.boolean().default(true),
    /** Defaults to VLLM_ALLOW_RUNTIME_LORA_UPDATING, parsed as vLLM does. */
    allowRuntimeLoraUpdating: z.boolean().optional(),
  })
  .strict();

/** What `startSim` accepts (every field optional). */
export type SimOptions = z.input<typeof simOptionsSchema>;
/** The options after defaults are applied. */
export type ResolvedSimOptions = z.output<typeof simOptionsSchema> & {
  servedModelNames: string[];
  allowRuntimeLoraUpdating: boolean;
  kvCacheTokens: number;
};

/** vLLM envs.py: `os.environ.get(...,"0").strip().lower() in ("1","true")`. */
export function runtimeLoraUpdatingFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['1', 'true'].includes((env.VLLM_ALLOW_RUNTIME_LORA_UPDATING ?? '0').trim().toLowerCase());
}

export function resolveSimOptions(input: SimOptions = {}): ResolvedSimOptions {
  const parsed = simOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new Error(`invalid simulator options:\n${lines.join('\n')}`);
  }
  const o = parsed.data;
  return {
    ...o,
    servedModelNames: o.servedModelNames ?? [o.model],
    allowRuntimeLoraUpdating: o.allowRuntimeLoraUpdating ?? runtimeLoraUpdatingFromEnv(),
    kvCacheTokens: o.kvCacheTokens ?? o.maxModelLen * 16,
  };
}

type Kind = 'string' | 'number' | 'list' | 'flag';
const FLAGS: Record<string, [keyof SimOptions | null, Kind]> = {
  host: ['host', 'string'],
  port: ['port', 'number'],
  model: ['model', 'string'],
  'served-model-name': ['servedModelNames', 'list'],
  'max-model-len': ['maxModelLen', 'number'],
  'max-loras': ['maxLoras', 'number'],
  'max-lora-rank': ['maxLoraRank', 'number'],
  'max-num-seqs': ['maxNumSeqs', 'number'],
  'lora-modules': ['loraModules', 'list'],
  'ttft-ms': ['ttftMs', 'number'],
  'itl-ms': ['itlMs', 'number'],
  'load-ms': ['loadMs', 'number'],
  'failure-rate': ['failureRate', 'number'],
  'stall-after-chunks': ['stallAfterChunks', 'number'],
  seed: ['seed', 'number'],
  'vllm-compat': ['vllmCompat', 'string'],
  'embedding-dim': ['embeddingDim', 'number'],
  'output-tokens': ['outputTokens', 'number'],
  'kv-cache-tokens': ['kvCacheTokens', 'number'],
  'replica-id': ['replicaId', 'string'],
  'tool-call-parser': ['toolCallParser', 'string'],
  'enable-auto-tool-choice': ['enableAutoToolChoice', 'flag'],
  // Accepted so that a vLLM command line works unchanged; LoRA is always on in the simulator.
  'enable-lora': [null, 'flag'],
};

export const SIM_USAGE = `usage: lorag sim [--host H] [--port P] [--model NAME] [--served-model-name A B…]
  [--max-model-len N] [--max-loras N] [--max-lora-rank R] [--max-num-seqs N]
  [--lora-modules name=path | '{"name":…,"path":…,"base_model_name":…}' …]
  [--ttft-ms MS] [--itl-ms MS] [--load-ms MS] [--failure-rate 0..1] [--seed N]
  [--vllm-compat current|legacy] [--embedding-dim N] [--output-tokens N] [--kv-cache-tokens N]
  [--replica-id ID] [--tool-call-parser NAME|none] [--enable-auto-tool-choice]
  [--stall-after-chunks N]   fault injection: hang after N stream chunks (JSON answers: never sent)
env: VLLM_ALLOW_RUNTIME_LORA_UPDATING=true enables /v1/load_lora_adapter and /v1/unload_lora_adapter
`;

/** Parses `lorag sim` flags (`--flag value` or `--flag=value`; list flags take values up to the next `--flag`). */
export function parseSimArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SimOptions {
  const raw: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'\n${SIM_USAGE}`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = FLAGS[name];
    if (!spec) throw new Error(`unknown flag --${name}\n${SIM_USAGE}`);
    const [key, kind] = spec;
    const values: string[] = [];
    if (eq > 0) values.push(arg.slice(eq + 1));
    else if (kind !== 'flag') {
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
        values.push(argv[++i]);
        if (kind !== 'list') break;
      }
      if (values.length === 0) throw new Error(`--${name} needs a value`);
    }
    if (key === null) continue;
    if (kind === 'flag') raw[key] = true;
    else if (key === 'toolCallParser') raw[key] = values[0] === 'none' ? null : values[0];
    else if (kind === 'number') raw[key] = Number(values[0]);
    else if (kind === 'string') raw[key] = values[0];
    else if (key === 'loraModules') raw[key] = [...((raw[key] as unknown[]) ?? []), ...parseLoraModules(values)];
    else raw[key] = values;
  }
  if (raw.replicaId === undefined && env.POD_NAME) raw.replicaId = env.POD_NAME;
  // Validate now so a bad command line fails before anything starts, listing every problem by flag name.
  try {
    resolveSimOptions(raw as SimOptions);
  } catch (err) {
    let message = (err as Error).message.replace('invalid simulator options', 'invalid flags');
    for (const [flag, [key]] of Object.entries(FLAGS)) {
      if (key) message = message.replaceAll(new RegExp(`^  ${key}\\b`, 'gm'), `  --${flag}`);
    }
    throw new Error(message);
  }
  return raw as SimOptions;
}
