import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePairs } from '../src/synthetic/pairs.js';

test('generatePairs is deterministic per seed and covers the three labels', () => {
  const a = [...generatePairs(300, 3)];
  const b = [...generatePairs(300, 3)];
  const c = [...generatePairs(300, 4)];
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const labels = new Set(a.map((p) => p.label));
  assert.deepEqual([...labels].sort(), ['CONTRADICTION', 'ENTAILMENT', 'NEUTRAL']);
  assert.ok(
    a.some((p) => /\bnot\b|\bno\b|n't/.test(p.hypothesis) || /n't/.test(p.premise)),
    'has negation contradictions',
  );
  assert.ok(a.every((p) => p.premise !== p.hypothesis && p.premise.length > 0 && p.hypothesis.length > 0));
  assert.equal(new Set(a.map((p) => p.id)).size, 300);
});
