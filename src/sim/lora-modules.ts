/**
 * @module sim/lora-modules — `--lora-modules` items parsed as vLLM's `LoRAParserAction` does (cli_args.py):
 * an item with `=` and no `,` is `name=path`, anything else must be JSON `{"name","path","base_model_name"}`.
 */
import type { LoraModule } from './options.ts';

const FIELDS = ['name', 'path', 'base_model_name'];

export function parseLoraModules(items: string[]): LoraModule[] {
  const out: LoraModule[] = [];
  for (const item of items) {
    if (item === '') continue;
    if (item.includes('=') && !item.includes(',')) {
      const parts = item.split('=');
      // Python's `name, path = item.split('=')` fails on a second `=`; say so instead of guessing.
      if (parts.length !== 2) throw new Error(`Invalid --lora-modules item (too many '=' in name=path form): ${item}`);
      out.push({ name: parts[0], path: parts[1] });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(item);
    } catch {
      throw new Error(`Invalid JSON format for --lora-modules: ${item}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`Invalid fields for --lora-modules: ${item} - argument after ** must be a mapping`);
    }
    const obj = value as Record<string, unknown>;
    const unknownKey = Object.keys(obj).find((k) => !FIELDS.includes(k));
    if (unknownKey) {
      throw new Error(
        `Invalid fields for --lora-modules: ${item} - LoRAModulePath.__init__() got an unexpected keyword argument '${unknownKey}'`,
      );
    }
    const missing = ['name', 'path'].filter((k) => !(k in obj));
    if (missing.length > 0) {
      throw new Error(
        `Invalid fields for --lora-modules: ${item} - LoRAModulePath.__init__() missing required argument: ${missing.map((m) => `'${m}'`).join(' and ')}`,
      );
    }
    if (typeof obj.name !== 'string' || typeof obj.path !== 'string') {
      throw new Error(`Invalid fields for --lora-modules: ${item} - name and path must be strings`);
    }
    const base = typeof obj.base_model_name === 'string' ? obj.base_model_name : undefined;
    out.push(
      base === undefined
        ? { name: obj.name, path: obj.path }
        : { name: obj.name, path: obj.path, base_model_name: base },
    );
  }
  return out;
}
