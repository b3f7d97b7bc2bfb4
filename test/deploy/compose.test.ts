/**
 * deploy/compose.yaml against the Compose specification's JSON schema (the copy dclint ships, so no network
 * is needed), plus the cross-references the schema cannot see: files it mounts, profiles, the names the
 * gateway's config and Prometheus use for other services, and the gateway config against lorag's own schema.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parseConfig } from '../../src/config/load.ts';
import { deployDir, readText, readYaml, repoRoot } from './deploy-files.ts';

type Service = {
  image?: string;
  build?: { context: string; dockerfile: string };
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  volumes?: (string | { type: string; source: string; target: string })[];
  depends_on?: Record<string, unknown> | string[];
  networks?: Record<string, { aliases?: string[] }>;
  stop_grace_period?: string;
  deploy?: { resources?: { reservations?: { devices?: { capabilities: string[] }[] } } };
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

const composePath = join(deployDir, 'compose.yaml');
const compose = readYaml<Compose>(composePath);
const services = compose.services;

/** `${VAR:-default}` → default, as compose interpolates when VAR is unset. */
function interpolate(value: string): string {
  return value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
}

/** Every hostname a container of the stack can resolve: service names and network aliases. */
function hostnames(profile: string): Set<string> {
  const names = new Set<string>();
  for (const [name, s] of Object.entries(services)) {
    if (s.profiles && !s.profiles.includes(profile)) continue;
    names.add(name);
    for (const net of Object.values(s.networks ?? {})) for (const alias of net?.aliases ?? []) names.add(alias);
  }
  return names;
}

describe('deploy/compose.yaml', () => {
  it('is valid against the Compose specification schema', () => {
    const require = createRequire(import.meta.url);
    const schemaPath = join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json');
    const schema = JSON.parse(readText(schemaPath));
    assert.equal(schema.title, 'Compose Specification');
    delete schema.$schema; // draft-07, Ajv's default; its https spelling is not a registered meta-schema id
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  });

  it('mounts only files and folders that exist, relative to deploy/', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        if (typeof v === 'string' || v.type !== 'bind') continue;
        const source = resolve(deployDir, interpolate(v.source));
        assert.ok(existsSync(source), `${name}: bind source ${v.source} (${source}) does not exist`);
      }
      if (s.build) {
        const context = resolve(deployDir, s.build.context);
        assert.ok(existsSync(join(context, s.build.dockerfile)), `${name}: ${s.build.dockerfile} not in ${context}`);
      }
    }
  });

  it('runs vLLM on a GPU in profile gpu and `lorag sim` under the same hostname in profile sim', () => {
    const vllm = services.vllm;
    assert.deepEqual(vllm.profiles, ['gpu']);
    const args = vllm.command ?? [];
    assert.ok(args.includes('--enable-lora'));
    for (const flag of ['--max-loras=', '--max-lora-rank=', '--served-model-name=']) {
      assert.ok(
        args.some((a) => a.startsWith(flag)),
        `vllm needs ${flag}`,
      );
    }
    assert.equal(vllm.environment?.VLLM_ALLOW_RUNTIME_LORA_UPDATING, 'true');
    assert.deepEqual(vllm.deploy?.resources?.reservations?.devices?.[0]?.capabilities, ['gpu']);

    const sim = services['vllm-sim'];
    assert.deepEqual(sim.profiles, ['sim']);
    assert.equal(sim.image, services.lorag.image, 'the simulator runs from the gateway image');
    assert.deepEqual(sim.command?.slice(0, 3), ['node', 'dist/cli.js', 'sim']);
    assert.ok(sim.networks?.default?.aliases?.includes('vllm'));
    const served = args.find((a) => a.startsWith('--served-model-name='))?.split('=')[1];
    assert.equal(sim.command?.[sim.command.indexOf('--model') + 1], served, 'sim and vLLM serve the same name');
  });

  it('mounts the adapter registry at the same path in the gateway, vLLM and the simulator', () => {
    const target = (s: Service) =>
      (s.volumes ?? []).find((v) => typeof v !== 'string' && v.target === '/app/adapters') as { source: string };
    const sources = ['lorag', 'vllm', 'vllm-sim'].map((n) => target(services[n])?.source);
    assert.ok(sources[0], 'lorag mounts /app/adapters');
    assert.deepEqual(new Set(sources).size, 1, 'one registry for all');
    assert.equal(existsSync(resolve(deployDir, interpolate(sources[0]))), true);
  });

  it('depends only on services that exist in every profile', () => {
    const always = Object.entries(services)
      .filter(([, s]) => !s.profiles)
      .map(([n]) => n);
    for (const [name, s] of Object.entries(services)) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const dep of deps) assert.ok(always.includes(dep), `${name} depends on ${dep}, which a profile may omit`);
    }
  });

  it('gives the gateway longer to stop than its own stream-drain deadline', () => {
    const config = readYaml<{ server: { shutdown_grace_ms: number } }>(join(deployDir, 'lorag.compose.yaml'));
    const grace = Number.parseInt(services.lorag.stop_grace_period ?? '10s', 10) * 1000;
    assert.ok(grace > config.server.shutdown_grace_ms, `${grace} ms <= ${config.server.shutdown_grace_ms} ms`);
  });

  for (const profile of ['gpu', 'sim']) {
    it(`names only reachable hosts in the gateway config and Prometheus targets (profile ${profile})`, () => {
      const names = hostnames(profile);
      const config = parseConfig(readYaml(join(deployDir, 'lorag.compose.yaml')), 'deploy/lorag.compose.yaml');
      const urls = [
        ...config.upstreams.base_models.flatMap((b) => b.replicas.map((r) => r.url)),
        config.redis.url ?? '',
        config.embeddings.kind === 'openai' ? config.embeddings.url : '',
        config.vector_store.kind === 'qdrant' ? config.vector_store.url : '',
        services.lorag.environment?.OTEL_EXPORTER_OTLP_ENDPOINT ?? '',
      ].filter(Boolean);
      for (const url of urls) assert.ok(names.has(new URL(url).hostname), `${url}: no such service in ${profile}`);

      const prom = readYaml<{ scrape_configs: { static_configs: { targets: string[] }[] }[] }>(
        join(deployDir, 'prometheus', 'prometheus.yml'),
      );
      for (const job of prom.scrape_configs) {
        for (const target of job.static_configs.flatMap((c) => c.targets)) {
          const host = target.split(':')[0];
          assert.ok(host === 'localhost' || names.has(host), `Prometheus target ${target}: no such service`);
        }
      }
    });
  }

  it('gives the gateway a config that lorag itself accepts, with manifests it can read', () => {
    const config = parseConfig(readYaml(join(deployDir, 'lorag.compose.yaml')), 'deploy/lorag.compose.yaml');
    assert.equal(config.server.host, '0.0.0.0', 'a container must listen on all interfaces');
    assert.equal(config.adapters.dir, '/app/adapters');
    const served = services.vllm.command?.find((a) => a.startsWith('--served-model-name='))?.split('=')[1];
    assert.deepEqual(
      config.upstreams.base_models.map((b) => b.name),
      [served],
    );
    assert.ok(existsSync(join(repoRoot, 'adapters')), 'the default registry ../adapters exists');
  });
});
