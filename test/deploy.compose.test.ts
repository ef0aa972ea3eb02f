/**
 * docker-compose.yml, as docker-compose itself resolves it (`config`, with profiles and
 * interpolation), turned into JSON by PyYAML (installed with Debian's docker-compose).
 * Parsing only: these machines have no Docker engine, so nothing here starts a container.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './helpers/shared.js';

// docker-compose v1 (Debian's docker-compose) or the v2 plugin binary, which also runs standalone.
const compose: string | undefined = [
  'docker-compose',
  '/usr/libexec/docker/cli-plugins/docker-compose',
  '/usr/lib/docker/cli-plugins/docker-compose',
].find((cmd) => spawnSync(cmd, ['version'], { stdio: 'ignore' }).status === 0);
// Debian's docker-compose is Python and brings PyYAML; a standalone compose binary may not.
const hasYaml = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;
// .ci/run sets this under CI=1: there a missing docker-compose or PyYAML fails the tests instead of skipping them.
const required = process.env.PAIRSCORE_REQUIRE_COMPOSE === '1';
const skip = required
  ? false
  : !compose
    ? 'docker-compose is not installed (Debian package docker-compose); .ci/run installs it'
    : !hasYaml
      ? 'python3 with PyYAML is not installed (Debian package python3-yaml, a dependency of docker-compose)'
      : false;
const file = path.join(repoRoot, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; interval?: string; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  ports?: Array<string | { published?: string | number; host_ip?: string }>;
  deploy?: { resources?: { reservations?: { devices?: Array<{ driver: string; capabilities: string[] }> } } };
}

/** The resolved configuration, profiles applied, env interpolated (without the caller's own REDIS_*). */
function resolved(profiles: string[], env: NodeJS.ProcessEnv = {}): { services: Record<string, Service> } {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REDIS_') && !k.startsWith('PAIRSCORE_')));
  assert.ok(compose, 'PAIRSCORE_REQUIRE_COMPOSE=1 but neither docker-compose nor the compose v2 plugin is installed');
  assert.ok(hasYaml, 'PAIRSCORE_REQUIRE_COMPOSE=1 but python3 with PyYAML is not installed');
  const r = spawnSync(compose, ['-f', file, ...profiles.flatMap((p) => ['--profile', p]), 'config'], {
    encoding: 'utf8',
    env: { ...base, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  const json = spawnSync('python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], {
    input: r.stdout,
    encoding: 'utf8',
  });
  assert.equal(json.status, 0, json.stderr);
  return JSON.parse(json.stdout) as { services: Record<string, Service> };
}

/** `host:port` of every published port ("127.0.0.1:3000:3000/tcp" or the long form). */
function published(s: Service): string[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'string') {
      const parts = p.split('/')[0]!.split(':');
      return parts.length === 3 ? `${parts[0]}:${parts[1]}` : `0.0.0.0:${parts[0]}`;
    }
    return `${p.host_ip ?? '0.0.0.0'}:${String(p.published)}`;
  });
}

/** The services `up` starts with these profiles (a service without profiles always; docker-compose 1.x's `config` lists all). */
function started(services: Record<string, Service>, profiles: string[]): string[] {
  return Object.entries(services)
    .filter(([, s]) => !s.profiles || s.profiles.some((p) => profiles.includes(p)))
    .map(([n]) => n)
    .sort();
}

test('services by profile: redis, worker and dashboard by default; worker-gpu and aggregator with gpu; submit with tools', { skip }, () => {
  const { services } = resolved(['gpu', 'tools']);
  assert.deepEqual(Object.keys(services).sort(), ['aggregator', 'dashboard', 'redis', 'submit', 'worker', 'worker-gpu']);
  assert.deepEqual(started(services, []), ['dashboard', 'redis', 'worker']);
  // The gpu profile finishes runs by itself: GPU workers score, the aggregator aggregates.
  assert.deepEqual(started(services, ['gpu']), ['aggregator', 'dashboard', 'redis', 'worker', 'worker-gpu']);
  assert.deepEqual(started(services, ['tools']), ['dashboard', 'redis', 'submit', 'worker']);
});

test('every long-running service has a health check; the others wait for a healthy Redis', { skip }, () => {
  const { services } = resolved(['gpu', 'tools']);
  assert.match(services['redis']!.healthcheck!.test!.join(' '), /redis-cli .*ping/);
  for (const name of ['worker', 'worker-gpu', 'aggregator']) {
    const s = services[name]!;
    assert.match(s.healthcheck!.test!.join(' '), /\/readyz/, name);
    assert.match(s.healthcheck!.test!.join(' '), /^CMD node -e fetch\(/, `${name}: node's fetch (no curl in the image)`);
    assert.equal(s.environment!['PAIRSCORE_METRICS_PORT'], '9464', name);
  }
  assert.match(services['dashboard']!.healthcheck!.test!.join(' '), /127\.0\.0\.1:3000\/api\/runs/);
  // docker-compose 1.x writes `disable: true` as test NONE; 2.x keeps `disable: true`.
  const tool = services['submit']!.healthcheck!;
  assert.ok(tool.disable === true || tool.test?.[0] === 'NONE', `a one-off tool has no health to check: ${JSON.stringify(tool)}`);
  for (const [name, s] of Object.entries(services)) {
    if (name === 'redis') continue;
    assert.deepEqual(s.depends_on, { redis: { condition: 'service_healthy' } }, name);
    assert.equal(s.environment!['REDIS_URL'], 'redis://redis:6379', name);
  }
});

test(
  'roles and devices: the aggregator scores nothing, the GPU worker aggregates nothing and has its GPU, budget and NVIDIA device',
  { skip },
  () => {
    const { services } = resolved(['gpu'], { PAIRSCORE_GPU_ID: '1', PAIRSCORE_GPU_BATCH_TOKENS: '16384' });
    assert.deepEqual(services['aggregator']!.command, ['worker', '--no-score']);
    assert.deepEqual(services['dashboard']!.command, ['dashboard', '--port', '3000', '--host', '0.0.0.0']);
    const gpu = services['worker-gpu']!;
    assert.deepEqual(gpu.command, ['worker', '--no-aggregate', '--gpu-id', '1']);
    assert.equal(gpu.environment!['PAIRSCORE_DEVICE'], 'cuda');
    assert.equal(gpu.environment!['PAIRSCORE_BATCH_TOKENS'], '16384');
    assert.equal(gpu.deploy!.resources!.reservations!.devices![0]!.driver, 'nvidia');
    assert.deepEqual((gpu.build as { args: Record<string, string> }).args, {
      BASE: 'nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04',
      ORT_INSTALL: 'cuda12',
    });
    assert.deepEqual(resolved(['gpu']).services['worker-gpu']!.command, ['worker', '--no-aggregate', '--gpu-id', '0'], 'GPU 0 by default');
  },
);

test(
  'Redis: pinned 7.4.x, no eviction, a maxmemory, append-only; a password when REDIS_PASSWORD is set, for every service',
  { skip },
  () => {
    const plain = resolved(['gpu', 'tools']).services;
    const redis = plain['redis']!;
    assert.match(redis.image!, /^redis:7\.4\.\d+(-[a-z]+)?$/);
    const cmd = redis.command!.join(' ');
    for (const part of [
      /--maxmemory-policy noeviction/,
      /--maxmemory "\$\$\{REDIS_MAXMEMORY:-2gb\}"/,
      /--appendfsync everysec/,
      /\$\$\{REDIS_PASSWORD:\+--requirepass/,
    ])
      assert.match(cmd, part);
    assert.equal(redis.environment!['REDIS_PASSWORD'], '', 'no password unless one is given');
    assert.equal(redis.environment!['REDIS_MAXMEMORY'], '2gb');

    const secret = resolved(['gpu', 'tools'], { REDIS_PASSWORD: 's3cret', REDIS_MAXMEMORY: '512mb' }).services;
    for (const [name, s] of Object.entries(secret)) assert.equal(s.environment!['REDIS_PASSWORD'], 's3cret', name);
    assert.equal(secret['redis']!.environment!['REDIS_MAXMEMORY'], '512mb');
  },
);

test('images are pinned and no two services publish the same host port; only the dashboard publishes one, on 127.0.0.1', { skip }, () => {
  const { services } = resolved(['gpu', 'tools']);
  for (const [name, s] of Object.entries(services)) {
    assert.ok(s.image && /:[^:]+$/.test(s.image) && !s.image.endsWith(':latest'), `${name}: ${s.image}`);
  }
  const ports = Object.entries(services).flatMap(([name, s]) => published(s).map((p) => ({ name, p })));
  assert.deepEqual(ports, [{ name: 'dashboard', p: '127.0.0.1:3000' }]);
  assert.equal(new Set(ports.map((x) => x.p)).size, ports.length);
  // Redis and the (scalable) workers publish nothing: Redis stays on the compose network.
  assert.equal(published(services['redis']!).length, 0);
  assert.equal(published(services['worker']!).length, 0);
});
