/**
 * @module adapters/source-policy — which sources an admin may register: a URI under an allowed URI prefix
 * (`sim://`), or a folder inside an allowed root folder, judged after resolving `..` and symlinks (so
 * `adapters/../../etc/shadow` and a symlink to `/etc` are both outside). The reason is for the admin only.
 */
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';

export type SourceVerdict = { ok: true; kind: 'uri' | 'path'; resolved: string } | { ok: false; reason: string };

const URI = /^[a-z][a-z0-9+.-]*:\/\//i;

function real(p: string): string {
  // The longest existing prefix is resolved (symlinks), the rest appended: a path that does not exist yet
  // still cannot escape through a symlinked parent.
  let head = p;
  const tail: string[] = [];
  while (!existsSync(head)) {
    const parent = resolve(head, '..');
    if (parent === head) return p;
    tail.unshift(head.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    head = parent;
  }
  return [realpathSync(head), ...tail].join(sep);
}

export function checkSource(source: string, roots: string[], cwd = process.cwd()): SourceVerdict {
  if (URI.test(source)) {
    const ok = roots.some((r) => URI.test(r) && source.startsWith(r));
    return ok
      ? { ok: true, kind: 'uri', resolved: source }
      : { ok: false, reason: `source ${source} is not under an allowed URI prefix (adapters.allowed_roots)` };
  }
  const path = real(isAbsolute(source) ? source : resolve(cwd, source));
  for (const r of roots) {
    if (URI.test(r)) continue;
    const root = real(resolve(cwd, r));
    if (path === root || path.startsWith(root.endsWith(sep) ? root : root + sep))
      return { ok: true, kind: 'path', resolved: path };
  }
  return {
    ok: false,
    reason: `source ${source} is outside the allowed roots (adapters.allowed_roots: ${roots.join(', ')})`,
  };
}

export function allowedRoots(section: { dir: string; allowed_roots?: string[] }): string[] {
  return section.allowed_roots ?? [section.dir, 'sim://'];
}
