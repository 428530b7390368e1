// The DNS panel: each name as the zone's own server answers it (SRV target:port, A records, TTL), a
// name that does not resolve says why, and a server that stopped answering keeps its last answer marked stale.
import { describe, expect, it } from 'vitest';
import { combineDns, dnsProbe, type DnsAnswers } from '../../source/adapters/probes/dns.js';
import type { Cluster } from '../../source/core/inventory/model.js';
import { panelLines } from '../../source/ui/panel-lines.js';

const T0 = Date.parse('2026-12-04T01:00:00Z');
const text = (lines: ReturnType<typeof panelLines>) => lines.map((l) => l.map((s) => s.text).join('')).join('\n');

const answers: DnsAnswers = [
  { name: 'db.dr.example', srv: { target: 'a.dr.example', port: 5000 }, addresses: ['127.0.0.1'], ttlSeconds: 5, error: null },
  { name: 'cache.dr.example', srv: null, addresses: [], ttlSeconds: null, error: 'ENOTFOUND' },
];

describe('dns probe', () => {
  it('asks every member server for the cluster names', () => {
    const cluster: Cluster = { kind: 'dns', members: [{ name: 'ns1', host: 'ns1', endpoint: '127.0.0.1:5353' }, { name: 'ns2', host: 'ns2' }], names: ['db.dr.example'] };
    const targets = dnsProbe.targets('dns', cluster, { environment: 'lab', hosts: {}, clusters: {} });
    expect(targets.map((t) => [t.id, t.address])).toEqual([['ns1', '127.0.0.1:5353']]);
  });

  it('shows where each name points and its TTL, and why a name does not resolve', () => {
    const state = combineDns('dns', [{ id: 'ns1', address: '127.0.0.1:5353', last: answers, lastOkAt: T0, error: null, startedAt: T0 - 1000 }], T0);
    expect(state.server).toBe('127.0.0.1:5353');
    const shown = text(panelLines(state));
    expect(shown).toContain('dns dns  @127.0.0.1:5353');
    expect(shown).toContain('db.dr.example → a.dr.example:5000 (127.0.0.1) ttl 5s');
    expect(shown).toContain('cache.dr.example ENOTFOUND');
  });

  it('a server that stopped answering keeps its last answer, marked stale with the reason', () => {
    const state = combineDns('dns', [{ id: 'ns1', address: '127.0.0.1:5353', last: answers, lastOkAt: T0 - 4000, error: '127.0.0.1:5353: ETIMEOUT', startedAt: T0 - 9000 }], T0);
    const shown = text(panelLines(state));
    expect(shown).toMatch(/STALE 4\.0s \(127\.0\.0\.1:5353: ETIMEOUT\)/);
    expect(shown).toContain('db.dr.example → a.dr.example:5000');
    const never = combineDns('dns', [{ id: 'ns1', address: '127.0.0.1:5353', last: null, lastOkAt: null, error: 'ECONNREFUSED', startedAt: T0 - 2000 }], T0);
    expect(text(panelLines(never))).toContain('no server answered');
  });
});
