// `from: credentials.<cluster>.<key>`: a variable whose value is an inventory credential. Validated
// with file:line (syntax, cluster listed and in the inventory, credential defined); resolved from the
// credential's env variable or file at run time, a secret like every credential; never in the form.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../source/core/inventory/load.js';
import { formatProblem } from '../../source/core/runbook/problem.js';
import { validateRunbookText } from '../../source/core/runbook/validate.js';
import { resolveVars } from '../../source/services/runner-vars.js';

const inventoryPath = 'test/fixtures/inventory/example.yaml';
const inventory = loadInventory(readFileSync(inventoryPath, 'utf8'), inventoryPath).inventory!;

const runbook = (from: string) => `---
id: from-demo
title: Password from the inventory
clusters: [pg]
vars:
  pg_password:
    description: the superuser's password
    from: ${from}
---

## Check {#check}

\`\`\`sh {host=local}
psql -c 'select 1' # password in PGPASSWORD={{ pg_password }}
\`\`\`
`;

const problems = (text: string, withInventory = true) => validateRunbookText(text, 'rb.md', withInventory ? { inventory } : {}).problems.map(formatProblem);

describe('vars from inventory credentials', () => {
  it('accepts credentials.<cluster>.<key> the inventory defines; the variable is a secret', () => {
    const { runbook: rb, problems: p } = validateRunbookText(runbook('credentials.pg.superuser'), 'rb.md', { inventory });
    expect(p).toEqual([]);
    expect(rb!.vars.pg_password).toMatchObject({ secret: true, from: { cluster: 'pg', credential: 'superuser' } });
  });

  it('names a bad form, an unlisted or unknown cluster and an unknown credential at file:line', () => {
    expect(problems(runbook('pg.superuser'))).toEqual([expect.stringMatching(/^rb\.md:8:11: from of `pg_password` must be credentials\.<cluster>\.<credential> \(got 'pg\.superuser'\)/)]);
    expect(problems(runbook('credentials.redis.auth'))).toEqual([expect.stringMatching(/^rb\.md:8:11: vars\.pg_password\.from: cluster 'redis' is not listed in the front matter's clusters \(pg\)/)]);
    expect(problems(runbook('credentials.pg.nosuch'))).toEqual([expect.stringMatching(/^rb\.md:8:11: vars\.pg_password\.from: cluster 'pg' has no credential 'nosuch' in the inventory \(credentials: superuser/)]);
    const other = runbook('credentials.pgx.superuser').replace('clusters: [pg]', 'clusters: [pg, pgx]');
    expect(problems(other)).toEqual([expect.stringMatching(/^rb\.md:8:11: vars\.pg_password\.from: no cluster 'pgx' in the inventory/)]);
    // Without an inventory only the form and the front matter's clusters can be checked.
    expect(problems(runbook('credentials.pg.nosuch'), false)).toEqual([]);
  });

  it('resolves from the credential (file or env) when nothing is given; an explicit value wins; the value is a secret', () => {
    const { runbook: rb } = validateRunbookText(runbook('credentials.pg.superuser'), 'rb.md', { inventory });
    const dir = mkdtempSync(join(tmpdir(), 'hatui-from-'));
    const file = join(dir, 'pw');
    writeFileSync(file, 'file-pw\n');
    const withFile = { ...inventory, clusters: { ...inventory.clusters, pg: { ...inventory.clusters.pg!, credentials: { superuser: { file } } } } };
    expect(resolveVars(rb!, [], {}, withFile)).toEqual({ values: { pg_password: 'file-pw' }, secretNames: ['pg_password'] });
    const withEnv = { ...inventory, clusters: { ...inventory.clusters, pg: { ...inventory.clusters.pg!, credentials: { superuser: { env: 'PGPW_TEST' } } } } };
    expect(resolveVars(rb!, [], { PGPW_TEST: 'env-pw' }, withEnv).values.pg_password).toBe('env-pw');
    expect(resolveVars(rb!, [], { HATUI_VAR_PG_PASSWORD: 'given' }, withEnv).values.pg_password).toBe('given');
    expect(() => resolveVars(rb!, [], {}, withEnv)).toThrow(/variable 'pg_password' \(credentials\.pg\.superuser\): environment variable PGPW_TEST is not set/);
    expect(() => resolveVars(rb!, [], {})).toThrow(/comes from credentials\.pg\.superuser, which needs an inventory/);
  });
});
