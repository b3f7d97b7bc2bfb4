/**
 * @module train/cli — `lorag train ADAPTER`: reads adapters/<ADAPTER>/train/recipe.yaml, checks the dataset
 * first (checkDataset from `lorag data check`; errors stop here with the report), then trains:
 *   --backend peft (default): engine/train_adapter.py in engine/.venv (torch + PEFT), CPU or GPU; a progress bar
 *     with the loss; loss.json + loss.svg, card.json + README.md (model card) beside the adapter.
 *   --backend llamafactory: writes llamafactory.yaml (checked against LLaMA-Factory's arguments) and runs
 *     `llamafactory-cli train` when it is installed, else prints the exact command.
 * The output is a new versioned folder (default adapters/<ADAPTER>/v<N>, N = the next free version), built as
 * `<folder>.partial` and renamed only when complete: an interrupted run leaves no folder and registers nothing.
 * Options: --version V --out DIR --base DIR (base weights; default engine/work/base) --base-name NAME (what
 * vLLM serves, written as base_model_name_or_path; default recipe base_model, else the manifest's) --max-steps N
 * --python PATH --model M --template T (llamafactory) --config FILE (for adapters.dir).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadRegistry } from '../adapters/registry.ts';
import { configPathFrom, loadConfigFile } from '../config/load.ts';
import { checkDataset } from '../data-check/check-dataset.ts';
import { formatReport } from '../data-check/format-report.ts';
import { checkLlamaFactoryConfig, existingModel, llamaFactoryConfig, llamaFactoryYaml } from './llamafactory.ts';
import { type LossPoint, lossSvg } from './loss-chart.ts';
import { cardMarkdown, type ModelCard } from './model-card.ts';
import { repoRoot, runPeft } from './peft-backend.ts';
import { progressBar } from './progress-bar.ts';
import { loadRecipe } from './recipe.ts';

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

export class TrainError extends Error {}

function adaptersDirFrom(argv: string[]): string {
  const given = flag(argv, 'adapters-dir');
  if (given) return resolve(given);
  const path = configPathFrom(argv);
  return resolve(existsSync(path) ? loadConfigFile(path).adapters.dir : './adapters');
}

/** The next version: one above the highest numeric version in the manifest and among v<N> folders. */
function nextVersion(adaptersDir: string, name: string, manifestVersions: string[]): string {
  const dirs = existsSync(join(adaptersDir, name))
    ? readdirSync(join(adaptersDir, name)).flatMap((d) => /^v(\d+)$/.exec(d)?.[1] ?? [])
    : [];
  const nums = [...manifestVersions, ...dirs].map(Number).filter(Number.isFinite);
  return String(Math.max(0, ...nums) + 1);
}

export async function train(argv: string[], out = process.stderr): Promise<string> {
  const name = argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
  if (!name) throw new TrainError('usage: lorag train ADAPTER [--backend peft|llamafactory] [--version V] [--out DIR]');
  const adaptersDir = adaptersDirFrom(argv);
  const loaded = loadRecipe(adaptersDir, name);
  const { recipe } = loaded;
  const backend = (flag(argv, 'backend') ?? recipe.backend ?? 'peft') as 'peft' | 'llamafactory';
  if (backend !== 'peft' && backend !== 'llamafactory')
    throw new TrainError(`--backend: peft or llamafactory, not ${backend}`);
  const maxSteps = Number(flag(argv, 'max-steps') ?? recipe.train.max_steps);

  // 1. The dataset, before anything else.
  const report = checkDataset(loaded.dataset, {
    kind: 'alpaca',
    maxTokens: Math.max(recipe.train.cutoff_len * 4, 512),
  });
  if (report.errors > 0) throw new TrainError(`dataset check failed; nothing was trained:\n${formatReport(report)}`);
  out.write(`${formatReport(report)}\n`);
  const dataSha = createHash('sha256').update(readFileSync(loaded.dataset)).digest('hex');

  const manifest = loadRegistry(adaptersDir).get(name);
  const version =
    flag(argv, 'version') ?? nextVersion(adaptersDir, name, manifest?.versions.map((v) => v.version) ?? []);
  const id = `${name}@${version}`;
  const dest = resolve(flag(argv, 'out') ?? join(adaptersDir, name, `v${version}`));
  if (existsSync(dest))
    throw new TrainError(`${dest} exists; a version folder is never overwritten (choose --version or --out)`);
  const partial = `${dest}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const cleanup = () => rmSync(partial, { recursive: true, force: true });
  // The trainer is stopped with us: left running it would write the folder back after it was removed.
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    stop.abort();
    cleanup();
    process.stderr.write(
      `\nlorag train: ${sig}: stopped; ${relative(process.cwd(), partial)} removed, nothing registered\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (backend === 'llamafactory') return llamaFactory(argv, loaded, partial, dest, out);
    const baseDir = resolve(flag(argv, 'base') ?? join(repoRoot, 'engine', 'work', 'base'));
    if (!existsSync(join(baseDir, 'config.json')))
      throw new TrainError(`no base model at ${baseDir} (run bash engine/setup.sh, or pass --base DIR)`);
    const baseName = flag(argv, 'base-name') ?? recipe.base_model ?? manifest?.base_model ?? 'tiny-base';
    const points: LossPoint[] = [];
    const bar = progressBar(id, maxSteps, out);
    const started = Date.now();
    const done = await runPeft(
      {
        base_dir: baseDir,
        base_name: baseName,
        data: loaded.dataset,
        out: partial,
        label: id,
        lora: {
          r: recipe.lora.r,
          alpha: recipe.lora.alpha,
          dropout: recipe.lora.dropout,
          target_modules: recipe.lora.target_modules,
        },
        train: { ...recipe.train, max_steps: maxSteps },
        probe: recipe.probe ?? null,
      },
      join(partial, 'job.json'),
      {
        python: flag(argv, 'python'),
        signal: stop.signal,
        onStep(step, loss) {
          points.push({ step, loss });
          bar.step(step, loss);
        },
      },
    );
    bar.end(`${id}: ${done.steps} steps, final loss ${done.final_loss} on ${done.device}`);
    const card: ModelCard = {
      adapter: name,
      version,
      id,
      backend,
      base_model: baseName,
      base_weights: baseDir,
      rank: recipe.lora.r,
      data: { file: relative(repoRoot, loaded.dataset), sha256: dataSha, records: report.records },
      hyperparameters: { lora: recipe.lora, train: { ...recipe.train, max_steps: maxSteps } },
      steps: done.steps,
      final_loss: done.final_loss,
      probe: done.probe,
      device: done.device,
      trained_at: new Date().toISOString(),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    rmSync(join(partial, 'job.json'));
    writeFileSync(join(partial, 'loss.json'), `${JSON.stringify(points)}\n`);
    writeFileSync(join(partial, 'loss.svg'), await lossSvg(`${id} training loss`, points));
    writeFileSync(join(partial, 'card.json'), `${JSON.stringify(card, null, 2)}\n`);
    writeFileSync(join(partial, 'README.md'), cardMarkdown(card));
    if (done.probe && !done.probe.ok)
      out.write(
        `warning: the probe answered ${JSON.stringify(done.probe.answer)}, not "${done.probe.expect_prefix}…"\n`,
      );
    renameSync(partial, dest);
    out.write(
      `wrote ${dest} (adapter, card.json, README.md, loss.json, loss.svg)\nnext: lorag adapters add-version ${name} ${relative(process.cwd(), dest) || dest} --canary 10\n`,
    );
    return dest;
  } catch (err) {
    cleanup();
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function llamaFactory(
  argv: string[],
  loaded: ReturnType<typeof loadRecipe>,
  partial: string,
  dest: string,
  out: NodeJS.WritableStream,
): string {
  const known = existingModel(loaded.file);
  const model = flag(argv, 'model') ?? known.model;
  const template = flag(argv, 'template') ?? known.template;
  if (!model || !template)
    throw new TrainError('--backend llamafactory needs --model (HF id or path of the base) and --template');
  const doc = llamaFactoryConfig(loaded, { model, template, outputDir: dest, cwd: repoRoot });
  const problems = checkLlamaFactoryConfig(doc, repoRoot);
  if (problems.length) throw new TrainError(`the LLaMA-Factory YAML would be refused:\n  - ${problems.join('\n  - ')}`);
  const file = join(partial, 'llamafactory.yaml');
  writeFileSync(file, llamaFactoryYaml(doc, loaded.file));
  renameSync(partial, dest);
  const yaml = join(dest, 'llamafactory.yaml');
  const command = `llamafactory-cli train ${relative(repoRoot, yaml)}`;
  const cli = spawnSync('sh', ['-c', 'command -v llamafactory-cli'], { encoding: 'utf8' }).stdout.trim();
  if (!cli) {
    out.write(
      `wrote ${yaml}\nllamafactory-cli is not installed here. On a GPU machine with LLaMA-Factory, from ${repoRoot}:\n  ${command}\nthen: lorag adapters add-version ${loaded.recipe.adapter} ${dest}\n`,
    );
    return dest;
  }
  out.write(`running: ${command}\n`);
  execFileSync(cli, ['train', yaml], { cwd: repoRoot, stdio: 'inherit' });
  return dest;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await train(argv);
  } catch (err) {
    if (err instanceof TrainError) {
      process.stderr.write(`lorag train: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
