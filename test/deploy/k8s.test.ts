/**
 * deploy/k8s: every manifest the kustomizations include, validated against the Kubernetes schemas of
 * kubernetes-models (KEDA's ScaledObject against @kubernetes-models/keda), with unknown fields rejected;
 * then the references between objects and the gateway config in the ConfigMap against lorag's own schema.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/load.ts';
import {
  deployDir,
  type K8sObject,
  kustomizationFiles,
  readText,
  readYaml,
  readYamlDocuments,
  repoRoot,
} from './deploy-files.ts';
import { validateStrict } from './strict-validate.ts';

const k8sDir = join(deployDir, 'k8s');
const baseFiles = kustomizationFiles(k8sDir);
const kedaFiles = kustomizationFiles(join(k8sDir, 'optional', 'keda'));
const objects = baseFiles.flatMap((f) => readYamlDocuments(f).map((o) => ({ file: relative(repoRoot, f), o })));
const all = objects.map((x) => x.o);

type Container = {
  name: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
};
type PodSpec = {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean };
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; configMap?: { name: string } }[];
};
type Workload = K8sObject & {
  spec: {
    replicas?: number;
    serviceName?: string;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
};

const find = <T extends K8sObject>(kind: string, name: string) => {
  const o = all.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind}/${name} not found`);
  return o as T;
};
const workloads = all.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as Workload[];
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
/** Pods that the Helm charts create (deploy/k8s/helm), with the labels their charts give them. */
const chartPods = [
  { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'redis' },
  { 'app.kubernetes.io/name': 'qdrant', 'app.kubernetes.io/instance': 'qdrant' },
];
const podLabels = [...workloads.map((w) => w.spec.template.metadata.labels), ...chartPods];

describe('deploy/k8s manifests', () => {
  for (const file of [...new Set([...baseFiles, ...kedaFiles])]) {
    it(`${relative(repoRoot, file)} is valid against its Kubernetes schema, with no unknown field`, async () => {
      for (const obj of readYamlDocuments(file)) {
        const unknown = await validateStrict(obj);
        assert.deepEqual(unknown, [], `${obj.kind}/${obj.metadata.name}: fields unknown to the schema`);
      }
    });
  }

  it('includes every manifest file in a kustomization', () => {
    const included = new Set([...baseFiles, ...kedaFiles]);
    for (const dir of [join(k8sDir, 'base'), join(k8sDir, 'optional', 'keda')]) {
      for (const name of readdirSync(dir)) {
        if (!name.endsWith('.yaml') || name === 'kustomization.yaml') continue;
        assert.ok(
          included.has(join(dir, name)),
          `${name} is not listed in ${relative(repoRoot, dir)}/kustomization.yaml`,
        );
      }
    }
  });

  it('puts every object in the lorag namespace', () => {
    for (const { file, o } of objects) {
      if (o.kind === 'Namespace') assert.equal(o.metadata.name, 'lorag');
      else assert.equal(o.metadata.namespace, 'lorag', `${file}: ${o.kind}/${o.metadata.name}`);
    }
  });

  it('wires selectors, services, PDB, HPA and volumes to objects that exist', () => {
    for (const w of workloads) {
      assert.ok(matches(w.spec.selector.matchLabels, w.spec.template.metadata.labels), `${w.metadata.name} selector`);
      for (const v of w.spec.template.spec.volumes ?? []) {
        if (v.persistentVolumeClaim) find('PersistentVolumeClaim', v.persistentVolumeClaim.claimName);
        if (v.configMap) find('ConfigMap', v.configMap.name);
      }
    }
    for (const svc of all.filter((o) => o.kind === 'Service') as (K8sObject & {
      spec: { selector: Record<string, string> };
    })[]) {
      assert.ok(
        workloads.some((w) => matches(svc.spec.selector, w.spec.template.metadata.labels)),
        `Service ${svc.metadata.name} selects no pod`,
      );
    }
    const pdb = find<K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }>(
      'PodDisruptionBudget',
      'lorag',
    );
    assert.ok(
      matches(pdb.spec.selector.matchLabels, find<Workload>('Deployment', 'lorag').spec.template.metadata.labels),
    );
    const hpa = find<K8sObject & { spec: { scaleTargetRef: { kind: string; name: string } } }>(
      'HorizontalPodAutoscaler',
      'lorag',
    );
    find(hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
    const vllm = find<Workload>('StatefulSet', 'vllm');
    const headless = find<K8sObject & { spec: { clusterIP?: string } }>('Service', vllm.spec.serviceName ?? '');
    assert.equal(headless.spec.clusterIP, 'None', 'per-replica DNS names need a headless Service');
  });

  it('probes the gateway on /healthz and /readyz and drains streams before the kill', () => {
    const lorag = find<Workload>('Deployment', 'lorag');
    const pod = lorag.spec.template.spec;
    const c = pod.containers[0];
    assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    const preStop = c.lifecycle?.preStop?.exec?.command ?? [];
    assert.equal(preStop[0], 'sleep');
    const config = readYaml<{ server: { shutdown_grace_ms: number } }>(join(deployDir, 'lorag.compose.yaml'));
    const inCluster = parseYaml(
      find<K8sObject & { data: Record<string, string> }>('ConfigMap', 'lorag-config').data['lorag.yaml'],
    );
    const drainS = (inCluster.server.shutdown_grace_ms ?? config.server.shutdown_grace_ms) / 1000;
    assert.ok(
      (pod.terminationGracePeriodSeconds ?? 30) > Number(preStop[1]) + drainS,
      'grace period < preStop + drain',
    );
  });

  it('gives the ConfigMap a config lorag accepts once the Secret is applied, naming every vLLM pod', () => {
    const cm = find<K8sObject & { data: Record<string, string> }>('ConfigMap', 'lorag-config');
    const secret = find<K8sObject & { stringData: Record<string, string> }>('Secret', 'lorag-secrets');
    const config = parseConfig(parseYaml(cm.data['lorag.yaml']), 'lorag-config', secret.stringData);
    assert.equal(config.server.host, '0.0.0.0');
    assert.ok(config.redis.url?.startsWith('redis://'));
    for (const tenant of Object.values(config.tenants))
      assert.ok(tenant.keys.length > 0, 'tenant keys come from the Secret');

    const vllm = find<Workload>('StatefulSet', 'vllm');
    const args = vllm.spec.template.spec.containers[0].args ?? [];
    const served = args.find((a) => a.startsWith('--served-model-name='))?.split('=')[1];
    const base = config.upstreams.base_models.find((b) => b.name === served);
    assert.ok(base, `no base model named ${served} in the config`);
    const hosts = base.replicas.map((r) => new URL(r.url).hostname.split('.').slice(0, 2).join('.'));
    const expected = Array.from({ length: vllm.spec.replicas ?? 1 }, (_, i) => `vllm-${i}.${vllm.spec.serviceName}`);
    assert.deepEqual(hosts, expected);
  });

  it("runs vLLM with a GPU, LoRA enabled and runtime loading, adapters at the gateway's path", () => {
    const vllm = find<Workload>('StatefulSet', 'vllm');
    const c = vllm.spec.template.spec.containers[0];
    assert.equal(c.resources?.limits?.['nvidia.com/gpu'], '1');
    assert.ok(c.args?.includes('--enable-lora'));
    assert.ok(
      c.args?.some((a) => a.startsWith('--max-loras=')) && c.args?.some((a) => a.startsWith('--max-lora-rank=')),
    );
    assert.equal(c.env?.find((e) => e.name === 'VLLM_ALLOW_RUNTIME_LORA_UPDATING')?.value, 'true');
    const claim = (w: Workload) =>
      w.spec.template.spec.volumes?.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName;
    assert.equal(claim(vllm), claim(find<Workload>('Deployment', 'lorag')));
  });

  it('lets only the gateway reach vLLM, Redis, Qdrant and the embeddings server', () => {
    type Peer = { podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: unknown };
    type Policy = K8sObject & {
      spec: { podSelector: { matchLabels?: Record<string, string> }; ingress?: { from?: Peer[] }[] };
    };
    const policies = all.filter((o) => o.kind === 'NetworkPolicy') as Policy[];
    const deny = policies.find((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0);
    assert.ok(deny && (deny.spec.ingress ?? []).length === 0, 'a default-deny ingress policy');
    for (const backend of ['vllm', 'redis', 'qdrant', 'embeddings']) {
      const mine = policies.filter((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === backend);
      assert.ok(mine.length > 0, `no policy for ${backend}`);
      for (const rule of mine.flatMap((p) => p.spec.ingress ?? [])) {
        assert.ok(rule.from?.length, `${backend}: a rule without from admits everyone`);
        for (const peer of rule.from) {
          const name = peer.podSelector?.matchLabels?.['app.kubernetes.io/name'];
          const allowed = peer.namespaceSelector
            ? name === 'prometheus' && backend === 'vllm'
            : name === 'lorag' || name === backend;
          assert.ok(allowed, `${backend} admits ${JSON.stringify(peer)}`);
        }
      }
    }
    for (const p of policies) {
      const selector = p.spec.podSelector.matchLabels ?? {};
      assert.ok(
        podLabels.some((l) => matches(selector, l)),
        `NetworkPolicy ${p.metadata.name} selects no pod`,
      );
    }
  });

  it('scales on in-flight requests with KEDA in place of the CPU HPA (optional overlay)', () => {
    const kedaObjects = kedaFiles.flatMap((f) => readYamlDocuments(f));
    const so = kedaObjects.find((o) => o.kind === 'ScaledObject') as K8sObject & {
      spec: { scaleTargetRef: { name: string }; triggers: { type: string; metadata: { query?: string } }[] };
    };
    assert.ok(so);
    assert.equal(so.spec.scaleTargetRef.name, 'lorag');
    assert.match(
      so.spec.triggers.find((t) => t.type === 'prometheus')?.metadata.query ?? '',
      /lorag_requests_in_flight/,
    );
    const k = readYaml<{ patches: { target: { kind: string } }[] }>(
      join(k8sDir, 'optional', 'keda', 'kustomization.yaml'),
    );
    assert.ok(
      k.patches.some((p) => p.target.kind === 'HorizontalPodAutoscaler'),
      'the overlay removes the CPU HPA',
    );
  });

  for (const chart of ['redis', 'qdrant']) {
    it(`helm/${chart}-values.yaml parses and carries its helm install command`, () => {
      const path = join(k8sDir, 'helm', `${chart}-values.yaml`);
      const values = readYaml<Record<string, unknown>>(path);
      assert.ok(values && typeof values === 'object');
      assert.match(
        readText(path),
        new RegExp(`^#\\s+helm install ${chart} \\S+ -n lorag -f deploy/k8s/helm/${chart}-values.yaml`, 'm'),
      );
    });
  }

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  it('builds with kustomize (kubectl kustomize)', { skip: kubectl.status !== 0 && 'kubectl is not installed' }, () => {
    for (const dir of [k8sDir, join(k8sDir, 'optional', 'keda')]) {
      const out = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      const kinds = out.stdout.split('\n').filter((l) => l.startsWith('kind: '));
      assert.ok(kinds.length >= 15, `${dir}: ${kinds.length} objects`);
      assert.equal(kinds.includes('kind: HorizontalPodAutoscaler'), dir === k8sDir);
    }
  });
});
