import { describe, expect, it } from 'vitest';
import { alertOrigin, parseAlerts } from '../../source/core/alerts.js';
import { toMarkdown } from '../../source/core/audit/markdown.js';
import { toText } from '../../source/core/audit/text-replay.js';
import { foldLog } from '../../source/core/audit/replay-fold.js';
import type { RunEvent } from '../../source/core/engine/events.js';
import { fold } from '../../source/core/engine/reducer.js';
import { makeRunbook, runStarted } from './helpers.js';

const runbook = makeRunbook([{ id: 'a' }]);
const [alert] = parseAlerts([
  { labels: { alertname: 'RedisReplicationBroken', instance: '127.0.0.1:6379', severity: 'critical' }, annotations: { runbook: 'redis-replication-broken', summary: 'prose' }, startsAt: '2026-12-03T10:37:00.001Z', fingerprint: '426716e5ff065291', status: { state: 'active' } },
]);

describe('a run opened from an alert', () => {
  const start = { ...runStarted(runbook), alert: alertOrigin(alert!) } as RunEvent;

  it('records the alert (name, labels, startsAt, fingerprint, no annotations) and the reducer folds it into the run', () => {
    expect((start as { alert: unknown }).alert).toEqual({ name: 'RedisReplicationBroken', labels: { alertname: 'RedisReplicationBroken', instance: '127.0.0.1:6379', severity: 'critical' }, startsAt: '2026-12-03T10:37:00.001Z', fingerprint: '426716e5ff065291' });
    const state = fold(runbook, [start]);
    expect(state.anomalies).toEqual([]);
    expect(state.run?.alert).toEqual((start as { alert: unknown }).alert);
  });

  it('shows the alert in the markdown postmortem and the text replay', () => {
    const timeline = foldLog([start]);
    expect(toMarkdown(timeline, { logPath: 'x.jsonl' })).toContain('| Opened from alert | `RedisReplicationBroken` firing since 2026-12-03T10:37:00.001Z (fingerprint `426716e5ff065291`); labels `instance=127.0.0.1:6379`, `severity=critical` |');
    expect(toText(timeline)).toContain('opened from alert RedisReplicationBroken (firing since 2026-12-03T10:37:00.001Z, fingerprint 426716e5ff065291)');
  });

  it('a run not opened from an alert says so', () => {
    expect(toMarkdown(foldLog([runStarted(runbook)]), { logPath: 'x.jsonl' })).toContain('| Opened from alert | — |');
  });
});
