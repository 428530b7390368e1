import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventorySchema } from '../../source/core/inventory/model.js';
import { listRunbookHeaders } from '../../source/ui/runbook-headers.js';
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

  it('the quick list from front matter names the same runbooks, titles, tags and variables as the validated one, in the same order', async () => {
    const shipped = new URL('../../runbooks', import.meta.url).pathname;
    const quick = await listRunbookHeaders(shipped);
    const full = await listRunbooks(shipped);
    const shape = (e: (typeof quick)[number]) => [e.id, e.title, e.tags, e.clusters, Object.keys(e.vars ?? {})];
    expect(quick.length).toBeGreaterThan(5);
    expect(quick.map(shape)).toEqual(full.map(shape));
  });

  it('the quick list marks a file without id or title invalid (the validated list then says why)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hatui-list-'));
    writeFileSync(join(dir, 'a.md'), '# no front matter\n');
    writeFileSync(join(dir, 'b.md'), '---\nid: b\n---\n');
    writeFileSync(join(dir, 'c.md'), '---\nid: c\ntitle: C\ntags: [x]\n---\n\n## S\n');
    const entries = await listRunbookHeaders(dir);
    expect(entries.map((e) => [e.id, e.title, e.problems.length > 0])).toEqual([
      ['a', '(invalid runbook)', true],
      ['b', '(invalid runbook)', true],
      ['c', 'C', false],
    ]);
  });

  it('the background list stops when the app quits (aborted: no list, no more files parsed)', async () => {
    const shipped = new URL('../../runbooks', import.meta.url).pathname;
    const quit = new AbortController();
    quit.abort();
    expect(await listRunbooks(shipped, undefined, quit.signal)).toBeUndefined();
    const running = new AbortController();
    expect((await listRunbooks(shipped, undefined, running.signal))?.map((e) => e.id)).toEqual((await listRunbooks(shipped)).map((e) => e.id));
  });
});
