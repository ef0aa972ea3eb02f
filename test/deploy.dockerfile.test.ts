/**
 * The Dockerfile and .dockerignore, read as text (no Docker engine on these machines):
 * stages in order, dependencies installed before any source is copied (a cached layer),
 * a runtime of production dependencies and dist only, not root, a health check on /readyz.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './helpers/shared.js';

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  steps: Instruction[];
}

/** Instructions grouped by stage: continuation lines joined, comments dropped. */
function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const step = { op: m[1]!, args: m[2]!.trim() };
    if (step.op === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(step.args)!;
      stages.push({ from: from[1]!, name: from[2] ?? `#${stages.length}`, steps: [] });
    } else if (stages.length === 0) args.push(step);
    else stages.at(-1)!.steps.push(step);
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'));
const stage = (name: string) => dockerfile.stages.find((s) => s.name === name)!;
const index = (s: Stage, op: string, re: RegExp) => s.steps.findIndex((i) => i.op === op && re.test(i.args));

test('stages: node, deps, build, prod-deps, runtime — the runtime last, from BASE (Node 22 LTS unless a CUDA base is given)', () => {
  assert.deepEqual(
    dockerfile.stages.map((s) => s.name),
    ['node', 'deps', 'build', 'prod-deps', 'runtime'],
  );
  const globals = Object.fromEntries(dockerfile.args.filter((a) => a.op === 'ARG').map((a) => a.args.split('=') as [string, string]));
  assert.equal(globals['NODE_IMAGE'], 'node:22-bookworm-slim');
  assert.equal(globals['BASE'], 'node:22-bookworm-slim');
  assert.equal(stage('runtime').from, '${BASE}');
  assert.equal(stage('build').from, 'deps');
});

test('deps: the package files are copied and npm ci runs before any source is copied', () => {
  const deps = stage('deps');
  const copy = index(deps, 'COPY', /^package\.json package-lock\.json \.npmrc \.\/$/);
  const ci = index(deps, 'RUN', /^npm ci\b/);
  assert.ok(copy >= 0 && ci > copy, JSON.stringify(deps.steps));
  assert.equal(deps.steps.filter((s) => s.op === 'COPY').length, 1, 'nothing but the package files before npm ci');
  const build = stage('build');
  assert.ok(index(build, 'COPY', /^src /) >= 0 && index(build, 'RUN', /tsc -p tsconfig\.json/) > index(build, 'COPY', /^src /));
  for (const s of dockerfile.stages)
    assert.equal(index(s, 'COPY', /^\.\s/), -1, `${s.name}: no COPY . (it would bust the cache on every edit)`);
});

test('runtime: production dependencies only, dist, the CUDA install path, not root', () => {
  const prod = stage('prod-deps');
  assert.ok(index(prod, 'RUN', /npm ci --omit=dev/) >= 0);
  assert.ok(index(prod, 'RUN', /onnxruntime-node\/script\/install\.js --onnxruntime-node-install=\$\{ORT_INSTALL\}/) >= 0);
  const rt = stage('runtime');
  assert.ok(index(rt, 'COPY', /--from=prod-deps \/app\/node_modules/) >= 0);
  assert.ok(index(rt, 'COPY', /--from=build \/app\/dist\/src/) >= 0);
  assert.equal(index(rt, 'COPY', /--from=deps/), -1, 'no dev dependencies in the runtime');
  assert.equal(index(rt, 'RUN', /npm (ci|install)/), -1);
  const users = rt.steps.filter((s) => s.op === 'USER').map((s) => s.args);
  assert.deepEqual(users, ['node']);
  assert.ok(index(rt, 'USER', /./) < index(rt, 'ENTRYPOINT', /./), 'the entry point runs as that user');
  assert.ok(index(rt, 'ENTRYPOINT', /^\["node", "dist\/src\/cli\.js"\]$/) >= 0);
  assert.ok(index(rt, 'CMD', /^\["worker"\]$/) >= 0);
});

test('HEALTHCHECK: Node fetches /readyz on the metrics port (no curl in slim images)', () => {
  const hc = stage('runtime').steps.filter((s) => s.op === 'HEALTHCHECK');
  assert.equal(hc.length, 1);
  assert.match(
    hc[0]!.args,
    /CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:'\+\(process\.env\.PAIRSCORE_METRICS_PORT\|\|9464\)\+'\/readyz'/,
  );
  assert.ok(index(stage('runtime'), 'ENV', /PAIRSCORE_METRICS_PORT=9464/) >= 0);
});

test('package.json engines stay honest (Node 20 runs the tests; the image runs 22)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } };
  assert.equal(pkg.engines.node, '>=20');
});

test('.dockerignore keeps node_modules, dist, .git, test output, caches and models/data/out out of the build context', () => {
  const lines = new Set(
    fs
      .readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#')),
  );
  for (const entry of ['node_modules', 'dist', '.git', 'coverage', 'test-results', '.cache', '.npm', 'models', 'data', 'out', '.env']) {
    assert.ok(lines.has(entry), entry);
  }
  // What the Dockerfile copies must not be ignored.
  for (const needed of ['src', 'workers', 'package.json', 'package-lock.json', '.npmrc', 'tsconfig.json'])
    assert.ok(!lines.has(needed), needed);
});
