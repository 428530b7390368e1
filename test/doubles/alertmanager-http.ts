// An Alertmanager double over HTTP on 127.0.0.1: GET /api/v2/alerts answers the alerts it was given, in
// the shape the real Alertmanager 0.25 (Debian 12) answered on the hatui lab (test/probes/fixtures/
// alertmanager-alerts.json). It is NOT Alertmanager: no routing, grouping, silences or filters. The lab
// tests use the real one (`hatui lab up monitoring`); this double serves tests that need it dead or hung.
import { createServer } from 'node:http';
import { LoopbackListener } from '../../source/lab/doubles/loopback.js';

export class AlertmanagerDouble {
  /** The /api/v2/alerts body (raw API objects). */
  alerts: unknown[] = [];
  requests = 0;
  readonly listener = new LoopbackListener(() =>
    createServer((req, res) => {
      this.requests++;
      if (this.listener.mode === 'hang') return;
      if (req.url?.startsWith('/api/v2/alerts')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.alerts));
        return;
      }
      res.writeHead(404).end('not found');
    }),
  );

  static async start(): Promise<AlertmanagerDouble> {
    const double = new AlertmanagerDouble();
    await double.listener.start();
    return double;
  }

  get url(): string {
    return `http://${this.listener.address}`;
  }

  close(): Promise<void> {
    return this.listener.close();
  }
}
