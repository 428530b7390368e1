import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventorySchema } from '../../source/core/inventory/model.js';
import { listRunbooks } from '../../source/ui/runbook-list.js';

const inventory = inventorySchema.parse({
  environment: 'lab',
  hosts: { pg1: { address: '127.0.0.1' } },
  clusters: { pg: { kind: 'patroni', members: [{ name: 'pg1', host: 'pg1' }] } },
});

describe('runbook list on the home screen', () => {
  it('tells a runbook for clusters this inventory lacks apart from a broken one, and keeps both unopenable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hatui-list-'));
    writeFileSync(join(dir, 'a-mongo.md'), '---\nid: mongo-step\ntitle: Mongo stepdown\nclusters: [mongo]\n---\n\n## Step down\n\n```sh {host=mongo.primary}\nmongosh --eval "rs.stepDown()"\n```\n');
    writeFileSync(join(dir, 'b-broken.md'), '---\nid: broken\n---\n\n## Step\n');
    writeFileSync(join(dir, 'c-pg.md'), '---\nid: pg-ok\ntitle: PG ok\nclusters: [pg]\n---\n\n## Look\n\n```sh {host=pg.leader}\ntrue\n```\n');
    const entries = await listRunbooks(dir, inventory);
    expect(entries.map((e) => [e.id, e.title, e.problems.length > 0])).toEqual([
      ['mongo-step', '(no cluster mongo here) Mongo stepdown', true],
      ['b-broken', '(invalid runbook)', true],
      ['pg-ok', 'PG ok', false],
    ]);
  });
});
