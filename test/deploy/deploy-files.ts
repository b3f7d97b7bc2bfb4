/**
 * @module test/deploy/deploy-files — reading the files under deploy/ for the deployment checks: paths, YAML
 * (multi-document), the kustomization tree, and the Dockerfile's stages as dockerfile-ast sees them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const deployDir = join(repoRoot, 'deploy');

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** One YAML document; a syntax error or a warning (duplicate key, …) fails. */
export function readYaml<T = unknown>(path: string): T {
  return parseYaml(readText(path), { strict: true, uniqueKeys: true, prettyErrors: true, merge: true }) as T;
}

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
};

/** Every document of a multi-document YAML file, each checked for syntax errors. */
export function readYamlDocuments(path: string): K8sObject[] {
  const docs = parseAllDocuments(readText(path), { strict: true, uniqueKeys: true, prettyErrors: true, merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((doc) => {
    if (doc.errors.length) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as K8sObject;
  });
}

type Kustomization = { resources?: string[]; patches?: unknown[] };

/** The files a kustomization includes, following nested kustomization folders (as `kubectl apply -k` does). */
export function kustomizationFiles(dir: string): string[] {
  const k = readYaml<Kustomization>(join(dir, 'kustomization.yaml'));
  const files: string[] = [];
  for (const entry of k.resources ?? []) {
    const path = resolve(dir, entry);
    if (/\.ya?ml$/.test(entry)) files.push(path);
    else files.push(...kustomizationFiles(path));
  }
  return files;
}
