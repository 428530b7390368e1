// The stateful part of the Weaviate double: classes with object counts, and backups to a backend that
// move STARTED → TRANSFERRING → SUCCESS over successive status polls, and restores of them. Shared by
// every member (one cluster). It is NOT Weaviate: classes hold a count, not objects; nothing is stored on
// disk; the GraphQL endpoint answers only `{ Aggregate { <Class> { meta { count } } } }`.
//
// Shapes (https://docs.weaviate.io/deploy/configuration/backups, OpenAPI BackupCreateRequest /
// BackupCreateResponse / BackupCreateStatusResponse / BackupRestoreRequest / BackupRestoreStatusResponse):
//  - POST /v1/backups/{backend} {id, include?, exclude?} → 200 {id, backend, classes, path, status: STARTED};
//    422 {error: [{message}]} for an id that exists or a class that does not
//  - GET /v1/backups/{backend}/{id} → {id, backend, path, status: STARTED|TRANSFERRING|TRANSFERRED|SUCCESS|FAILED}; 404 unknown id
//  - POST /v1/backups/{backend}/{id}/restore {include?, exclude?} → 200 {id, backend, classes, path, status: STARTED};
//    422 when a class to restore already exists ("cannot restore class … because it already exists")
//  - GET /v1/backups/{backend}/{id}/restore → {id, backend, path, status}
//  - GET /v1/schema → {classes: [{class, …}]}; DELETE /v1/schema/{class} → 200 (data gone)
//  - POST /v1/graphql {query} → {data: {Aggregate: {<Class>: [{meta: {count}}]}}}
import type { IncomingMessage, ServerResponse } from 'node:http';

type Status = 'STARTED' | 'TRANSFERRING' | 'SUCCESS' | 'FAILED';
const NEXT: Record<Status, Status> = { STARTED: 'TRANSFERRING', TRANSFERRING: 'SUCCESS', SUCCESS: 'SUCCESS', FAILED: 'FAILED' };

export interface WeaviateBackup {
  id: string;
  backend: string;
  /** Class → object count at the time of the backup. */
  classes: Record<string, number>;
  status: Status;
  restore: { classes: string[]; status: Status } | null;
}

export class WeaviateData {
  /** Class → object count (what the cluster holds now). */
  readonly classes = new Map<string, number>();
  readonly backups = new Map<string, WeaviateBackup>();

  constructor(classes: Record<string, number> = {}) {
    for (const [name, count] of Object.entries(classes)) this.classes.set(name, count);
  }

  /** Handles the routes above; false when the path is not one of them. */
  handle(req: IncomingMessage, url: URL, body: string, res: ServerResponse): boolean {
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const fail = (status: number, message: string) => json(status, { error: [{ message }] });
    const parts = url.pathname.split('/').filter(Boolean); // v1, backups, backend, id, restore
    const parsed = (): Record<string, unknown> => {
      try {
        return body ? (JSON.parse(body) as Record<string, unknown>) : {};
      } catch {
        return {};
      }
    };
    if (url.pathname === '/v1/schema' && req.method === 'GET') {
      json(200, { classes: [...this.classes.keys()].map((c) => ({ class: c, properties: [], vectorizer: 'none' })) });
      return true;
    }
    if (parts[0] === 'v1' && parts[1] === 'schema' && parts.length === 3 && req.method === 'DELETE') {
      this.classes.delete(decodeURIComponent(parts[2]!));
      res.writeHead(200).end();
      return true;
    }
    if (url.pathname === '/v1/graphql' && req.method === 'POST') {
      const query = String(parsed().query ?? '');
      const m = /Aggregate\s*\{\s*(\w+)\s*\{\s*meta\s*\{\s*count\s*\}\s*\}\s*\}/.exec(query);
      if (!m) return json(200, { errors: [{ message: 'the double answers only Aggregate { <Class> { meta { count } } }' }] }), true;
      const count = this.classes.get(m[1]!);
      if (count === undefined) return json(200, { errors: [{ message: `Cannot query field "${m[1]}" on type "AggregateObjectsObj".` }] }), true;
      json(200, { data: { Aggregate: { [m[1]!]: [{ meta: { count } }] } } });
      return true;
    }
    if (parts[0] !== 'v1' || parts[1] !== 'backups' || !parts[2]) return false;
    const backend = parts[2];
    const path = (id: string) => `/var/lib/weaviate/backups/${id}`;
    const pick = (b: Record<string, unknown>, all: string[]) => {
      const include = Array.isArray(b.include) ? b.include.map(String) : all;
      const exclude = Array.isArray(b.exclude) ? b.exclude.map(String) : [];
      return include.filter((c) => !exclude.includes(c));
    };
    if (parts.length === 3 && req.method === 'POST') {
      const b = parsed();
      const id = String(b.id ?? '');
      if (!id) return fail(422, 'id is required'), true;
      if (this.backups.has(id)) return fail(422, `backup ${id} already exists`), true;
      const classes = pick(b, [...this.classes.keys()]);
      const missing = classes.filter((c) => !this.classes.has(c));
      if (missing.length) return fail(422, `class ${missing[0]} doesn't exist`), true;
      this.backups.set(id, { id, backend, classes: Object.fromEntries(classes.map((c) => [c, this.classes.get(c)!])), status: 'STARTED', restore: null });
      json(200, { id, backend, classes, path: path(id), status: 'STARTED' });
      return true;
    }
    const backup = parts[3] ? this.backups.get(parts[3]) : undefined;
    if (parts.length >= 4 && (!backup || backup.backend !== backend)) return fail(404, `backup ${parts[3]} not found`), true;
    if (parts.length === 4 && req.method === 'GET') {
      const status = backup!.status;
      backup!.status = NEXT[status]; // each poll moves it on: a client must poll until SUCCESS
      json(200, { id: backup!.id, backend, path: path(backup!.id), status });
      return true;
    }
    if (parts.length === 5 && parts[4] === 'restore' && req.method === 'POST') {
      if (backup!.status !== 'SUCCESS') return fail(422, `backup ${backup!.id} is not finished (${backup!.status})`), true;
      const classes = pick(parsed(), Object.keys(backup!.classes));
      const exists = classes.find((c) => this.classes.has(c));
      if (exists) return fail(422, `cannot restore class "${exists}" because it already exists`), true;
      backup!.restore = { classes, status: 'STARTED' };
      json(200, { id: backup!.id, backend, classes, path: path(backup!.id), status: 'STARTED' });
      return true;
    }
    if (parts.length === 5 && parts[4] === 'restore' && req.method === 'GET') {
      const restore = backup!.restore;
      if (!restore) return fail(404, `no restore of ${backup!.id} started`), true;
      const status = restore.status;
      restore.status = NEXT[status];
      if (restore.status === 'SUCCESS') for (const c of restore.classes) this.classes.set(c, backup!.classes[c]!);
      json(200, { id: backup!.id, backend, path: path(backup!.id), status });
      return true;
    }
    return false;
  }
}
