/**
 * @module ingest/cli — `lorag ingest --tenant T --collection C [--config F] [--prune] [--url-base U] [--json] PATH...`
 * Ingests Markdown, text, HTML and PDF files (directories are walked) into the configured vector store.
 * Prints a progress bar on stderr and a summary on stdout (`--json`: the summary as JSON); exits 1 when a
 * file failed to be written (skipped files are reported, not failures).
 */
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.ts';
import { ingestPaths } from './ingest.ts';
import { formatSummary, progressBar } from './progress.ts';

const usage = `usage: lorag ingest --tenant T --collection C [--config FILE] [--prune] [--url-base URL] [--json] PATH...

  --tenant      tenant id from the config (its documents are visible to it only)
  --collection  knowledge collection (must be in tenants.T.collections)
  --config      config file (default: $LORAG_CONFIG or ./lorag.yaml)
  --prune       delete the tenant's documents in the collection that are not among PATHs
  --url-base    documents without a front-matter url get URL/<document id> as their citation url
  --json        print the summary as JSON
`;

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      collection: { type: 'string' },
      config: { type: 'string' },
      prune: { type: 'boolean', default: false },
      'url-base': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  if (!values.tenant || !values.collection || positionals.length === 0) {
    process.stderr.write(usage);
    process.exitCode = 2;
    return;
  }
  const config = loadConfigFile(values.config ?? process.env.LORAG_CONFIG ?? './lorag.yaml');
  const bar = progressBar();
  const summary = await ingestPaths({
    config,
    tenant: values.tenant,
    collection: values.collection,
    paths: positionals,
    prune: values.prune,
    urlBase: values['url-base'],
    onProgress: (p) => bar.update(p),
  }).finally(() => bar.done());
  process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
  if (summary.failed.length) process.exitCode = 1;
}
