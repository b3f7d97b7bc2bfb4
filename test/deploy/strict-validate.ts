/**
 * @module test/deploy/strict-validate — kubernetes-models' schema validation, plus what it does not do: reject
 * fields the schema does not know (a typo such as `replcas` or `imagePullPolcy` passes its validators, as the
 * API server's non-strict decoding would drop it). The object is handed to the compiled validator behind a
 * Proxy that records which keys the validator reads; any key it never read, in an object whose keys it never
 * enumerated (a free-form map such as labels), is unknown to the schema.
 */
type Validate = (this: unknown) => void;
type ModelClass = { prototype: { validate: Validate } };

const apiGroups: Record<string, () => Promise<Record<string, unknown>>> = {
  v1: () => import('kubernetes-models/v1'),
  'apps/v1': () => import('kubernetes-models/apps/v1'),
  'policy/v1': () => import('kubernetes-models/policy/v1'),
  'autoscaling/v2': () => import('kubernetes-models/autoscaling/v2'),
  'networking.k8s.io/v1': () => import('kubernetes-models/networking.k8s.io/v1'),
  'keda.sh/v1alpha1': () => import('@kubernetes-models/keda/keda.sh/v1alpha1'),
};

export async function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
  const load = apiGroups[apiVersion];
  if (!load) throw new Error(`no schema known for apiVersion ${apiVersion} (add it to strict-validate.ts)`);
  const model = (await load())[kind] as ModelClass | undefined;
  if (!model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return model;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates against the schema (throws on an error) and returns the paths of fields the schema does not know. */
export async function validateStrict(obj: { apiVersion: string; kind: string }): Promise<string[]> {
  const model = await modelFor(obj.apiVersion, obj.kind);
  const read = new WeakMap<object, Set<string>>();
  const enumerated = new WeakSet<object>();
  const proxies = new WeakMap<object, object>();
  const wrap = <T>(value: T): T => {
    if (typeof value !== 'object' || value === null) return value;
    const target = value as object;
    let proxy = proxies.get(target);
    if (!proxy) {
      read.set(target, new Set());
      proxy = new Proxy(target, {
        get(t, key, receiver) {
          if (typeof key === 'string') read.get(t)?.add(key);
          return wrap(Reflect.get(t, key, receiver));
        },
        has(t, key) {
          if (typeof key === 'string') read.get(t)?.add(key);
          return Reflect.has(t, key);
        },
        ownKeys(t) {
          enumerated.add(t);
          return Reflect.ownKeys(t);
        },
      });
      proxies.set(target, proxy);
    }
    return proxy as T;
  };
  model.prototype.validate.call(wrap(obj));

  const unknown: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`);
    } else if (isObject(value)) {
      const seen = read.get(value);
      for (const [key, child] of Object.entries(value)) {
        if (!enumerated.has(value) && !seen?.has(key)) unknown.push(`${path}.${key}`);
        else walk(child, `${path}.${key}`);
      }
    }
  };
  walk(obj, '');
  return unknown.map((p) => p.slice(1));
}
