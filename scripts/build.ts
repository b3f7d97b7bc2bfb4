/**
 * `npm run build`: emits the JavaScript that the container image and the npm package run (dist/), from src/.
 * Node strips types only outside node_modules, so an installed package (and the image, which ships no src/)
 * needs real JavaScript; tsc rewrites the `.ts` import specifiers to `.js` (rewriteRelativeImportExtensions).
 * Files under src/ that are not TypeScript (JSON, prompts, templates, …) are copied beside the output so that
 * `new URL('./x.json', import.meta.url)` keeps working from dist/.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

/** Test files live beside the code (src/x/foo.test.ts); none of them, nor their fixtures, ship. */
function isShipped(path: string): boolean {
  const rel = relative(src, path);
  if (/(^|\/)(__fixtures__|fixtures|testdata)(\/|$)/.test(rel)) return false;
  return !/\.(test|spec|contract)\.[cm]?ts$/.test(rel);
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

rmSync(dist, { recursive: true, force: true });

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${result.status ?? result.signal})\n`);
  process.exit(result.status ?? 1);
}

let assets = 0;
for (const file of walk(src)) {
  if (/\.[cm]?ts$/.test(file) || !isShipped(file)) continue;
  const target = join(dist, relative(src, file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
  assets++;
}
process.stdout.write(`build: dist/ written (${assets} non-TypeScript asset${assets === 1 ? '' : 's'} copied)\n`);
