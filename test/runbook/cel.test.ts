import { describe, expect, it } from 'vitest';
import { celContext, checkSyntax, clustersRead, evaluateExpression, expressionPaths } from '../../source/core/cel.js';

const ctx = celContext({
  vars: { mode: 'planned', max_lag: '100' },
  captures: { state: { stdout: '{"role":"leader","lag":3}\n', exitCode: 0 }, plain: { stdout: 'hello', exitCode: 1 } },
  clusters: { pg: { leader: 'pg2', members: [{ name: 'pg1', lagBytes: 10 }, { name: 'pg2', lagBytes: 0 }] } },
});

describe('CEL wrapper', () => {
  it('evaluates against vars, captures (with .json) and clusters, recording the values read', () => {
    const r = evaluateExpression("vars.mode == 'planned' && captures.state.json.lag < 5 && clusters.pg.leader == 'pg2'", ctx);
    expect(r).toEqual({
      source: "vars.mode == 'planned' && captures.state.json.lag < 5 && clusters.pg.leader == 'pg2'",
      result: true,
      values: { 'vars.mode': 'planned', 'captures.state.json.lag': 3, 'clusters.pg.leader': 'pg2' },
    });
  });

  it('does not record macro-bound variables as context reads', () => {
    const r = evaluateExpression('clusters.pg.members.all(m, m.lagBytes < 100)', ctx);
    expect(r.result).toBe(true);
    expect(Object.keys(r.values)).toEqual(['clusters.pg.members']);
    expect(expressionPaths('captures["plain"].exitCode == 1').map((p) => p.segments.join('.'))).toEqual(['captures.plain.exitCode']);
  });

  it('turns evaluation errors into false with an error, never a throw', () => {
    const missing = evaluateExpression('vars.nope == "x"', ctx);
    expect(missing.result).toBe(false);
    expect(missing.error).toMatch(/nope/);
    const notBool = evaluateExpression('captures.plain.stdout', ctx);
    expect(notBool).toMatchObject({ result: false, error: expect.stringMatching(/not true or false/) });
    const syntax = evaluateExpression('1 +', ctx);
    expect(syntax).toMatchObject({ result: false, error: expect.stringMatching(/syntax error/) });
    expect(evaluateExpression('has(captures.plain.json)', ctx).result).toBe(false);
  });

  it('reports syntax errors with an offset', () => {
    expect(checkSyntax('a == 1')).toBeUndefined();
    expect(checkSyntax('a ==')).toMatchObject({ offset: 4, message: expect.stringMatching(/Unexpected/) });
    expect(checkSyntax('"open')).toMatchObject({ message: expect.stringMatching(/Unterminated/) });
  });

  it('never evaluates JavaScript', () => {
    const r = evaluateExpression('process.exit(1)', ctx);
    expect(r.result).toBe(false);
    expect(r.error).toBeDefined();
  });

  it('clustersRead names the clusters a batch reads: none, some, or all when read whole or by a computed key', () => {
    expect(clustersRead(["captures.a.stdout == 'x'", 'vars.n == "1"'])).toEqual([]);
    expect(clustersRead(['clusters.pg.leader == captures.l.stdout', "clusters.pg.members.exists(m, m.role == 'leader')", 'has(clusters.redis.master)'])).toEqual(['pg', 'redis']);
    expect(clustersRead(['clusters["pg"].dcsReachable'])).toEqual(['pg']);
    expect(clustersRead(['clusters.pg.leader != ""', 'clusters[vars.name].leader != ""'])).toBe('all');
    expect(clustersRead(['size(clusters) > 0'])).toBe('all');
    // a macro variable called `clusters` is not the root
    expect(clustersRead(['captures.c.json.members.exists(clusters, clusters.role == "leader")'])).toEqual([]);
  });
});
