/** @module auth/keys-cli — `lorag keys create --tenant NAME [--name LABEL] [--expires 2027-01-01]`. */
import { parseArgs } from 'node:util';
import { generateKey, sha256Hex } from './keys.ts';

export async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string' },
      admin: { type: 'boolean' },
    },
  });
  if (positionals[0] !== 'create' || (!values.tenant && !values.admin)) {
    throw new Error(
      'usage: lorag keys create --tenant NAME [--name LABEL] [--expires YYYY-MM-DD] | lorag keys create --admin',
    );
  }
  if (values.expires && Number.isNaN(Date.parse(values.expires)))
    throw new Error(`--expires: not a date: ${values.expires}`);
  const key = generateKey(values.tenant ?? 'admin');
  const fields = [`sha256: ${sha256Hex(key)}`];
  if (values.name) fields.push(`name: ${values.name}`);
  if (values.expires) fields.push(`expires_at: ${new Date(values.expires).toISOString()}`);
  const where = values.admin ? 'admin.keys' : `tenants.${values.tenant}.keys`;
  process.stdout.write(
    `New API key (shown once, store it now):\n\n  ${key}\n\nAdd this line under ${where} in lorag.yaml, then send SIGHUP to the gateway to apply it:\n\n  - { ${fields.join(', ')} }\n`,
  );
}
