// One listener of a double on 127.0.0.1 that a test can make hang or close, keeping its port: the part
// every wire double shares (what it speaks is the double's own business).
import type { Server, Socket } from 'node:net';

/** `answer` (default), `hang` (accepts and reads, never answers), `closed` (not listening: refused). */
export type DoubleMode = 'answer' | 'hang' | 'closed';

export class LoopbackListener {
  port = 0;
  mode: DoubleMode = 'answer';
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  /** `create` makes the server (net or http); the listener tracks its sockets to drop them on close. */
  constructor(private readonly create: () => Server) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = this.create();
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this;
  }

  /** `closed` stops listening and drops every connection; `answer`/`hang` listen again on the same port. */
  async setMode(mode: DoubleMode): Promise<void> {
    this.mode = mode;
    if (mode === 'closed') await this.close();
    else if (!this.server) await this.start();
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

/** Members that each have their own listener (replica set members, brokers, nodes): found by index. */
export class LoopbackSet<M extends { listener: LoopbackListener }> {
  protected readonly members: M[] = [];

  /** Changes a member's model; the next answer uses it. */
  update(index: number, patch: Partial<Omit<M, 'listener'>>): void {
    Object.assign(this.at(index), patch);
  }

  async setMode(index: number, mode: DoubleMode): Promise<void> {
    await this.at(index).listener.setMode(mode);
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.listener.close()));
  }

  protected at(index: number): M {
    const member = this.members[index];
    if (!member) throw new Error(`no member ${index} (of ${this.members.length})`);
    return member;
  }
}
