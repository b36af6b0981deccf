import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { CacheChange } from './cache-invalidation.js';
import { INVALIDATION_CHANNEL, PostgresCacheInvalidation } from './postgres-cache-invalidation.js';
import type { ListeningClient } from './postgres-cache-invalidation.js';

/** A listening connection the test drives: what the server delivers, and the server ending it. */
class FakeConnection extends EventEmitter implements ListeningClient {
  statements: string[] = [];
  ended = false;
  constructor(private readonly refuse: boolean) {
    super();
  }
  async connect(): Promise<void> {
    if (this.refuse) throw new Error('connection refused');
  }
  async query(text: string): Promise<void> {
    this.statements.push(text);
  }
  async end(): Promise<void> {
    this.ended = true;
  }
  deliver(payload: string, channel = INVALIDATION_CHANNEL): void {
    this.emit('notification', { channel, payload });
  }
  /** What pg_terminate_backend or a database restart looks like from the client. */
  terminate(): void {
    this.emit('error', new Error('terminating connection due to administrator command'));
    this.emit('end');
  }
}

function setup(refusals = 0) {
  const connections: FakeConnection[] = [];
  const notified: [string, string][] = [];
  let refused = 0;
  const invalidation = new PostgresCacheInvalidation({
    connect: () => {
      const connection = new FakeConnection(refused++ < refusals);
      connections.push(connection);
      return connection;
    },
    notify: async (channel, payload) => void notified.push([channel, payload]),
    retryMs: { first: 5, max: 20 },
  });
  const heard: CacheChange[] = [];
  invalidation.subscribe('channel', (change) => heard.push(change));
  return { invalidation, connections, notified, heard };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

describe(PostgresCacheInvalidation.name, () => {
  it('listens on its own connection and hands each notification to the subscribers of its topic', async () => {
    const { invalidation, connections, heard } = setup();
    const teams: CacheChange[] = [];
    invalidation.subscribe('team', (change) => teams.push(change));
    await invalidation.start();
    expect(connections[0].statements).toEqual([`LISTEN ${INVALIDATION_CHANNEL}`]);
    expect(invalidation.hearing).toBe(true);
    heard.length = 0;
    teams.length = 0;

    connections[0].deliver(JSON.stringify({ topic: 'channel', key: 'c1' }));
    connections[0].deliver(JSON.stringify({ topic: 'team', key: 't1' }));
    // Not ours, or not a change: ignored rather than thrown out of the connection's event handler.
    connections[0].deliver('not json');
    connections[0].deliver(JSON.stringify({ topic: 'channel' }));
    connections[0].deliver(JSON.stringify({ topic: 'channel', key: 'c2' }), 'another_channel');

    expect(heard).toEqual([{ key: 'c1' }]);
    expect(teams).toEqual([{ key: 't1' }]);
    await invalidation.close();
  });

  it('tells this process at once and the others through NOTIFY', async () => {
    const { invalidation, notified, heard } = setup();
    await invalidation.start();
    heard.length = 0;

    await invalidation.publish('channel', 'c1');

    expect(heard).toEqual([{ key: 'c1' }]);
    expect(notified).toEqual([[INVALIDATION_CHANNEL, JSON.stringify({ topic: 'channel', key: 'c1' })]]);
    await invalidation.close();
  });

  // Notifications sent while the connection was down are lost to this process for good: everything cached is
  // dropped when it goes (nothing can be heard meanwhile) and again when it listens (what changed was not heard).
  it('drops everything when its connection is terminated, listens again, and drops everything again', async () => {
    const { invalidation, connections, heard } = setup();
    await invalidation.start();
    heard.length = 0;

    connections[0].terminate();

    expect(invalidation.hearing).toBe(false);
    expect(heard).toEqual(['everything']);
    await until(() => invalidation.hearing);
    expect(connections).toHaveLength(2);
    expect(connections[1].statements).toEqual([`LISTEN ${INVALIDATION_CHANNEL}`]);
    expect(heard).toEqual(['everything', 'everything']);

    connections[1].deliver(JSON.stringify({ topic: 'channel', key: 'c1' }));
    expect(heard.at(-1)).toEqual({ key: 'c1' });
    await invalidation.close();
  });

  it('keeps trying while the database refuses, and hears once it answers', async () => {
    const { invalidation, connections } = setup(3);
    await invalidation.start();
    expect(invalidation.hearing).toBe(false);
    await until(() => invalidation.hearing);
    expect(connections).toHaveLength(4);
    await invalidation.close();
  });

  it('stops trying once closed', async () => {
    const { invalidation, connections } = setup();
    await invalidation.start();
    connections[0].terminate();
    await invalidation.close();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(connections).toHaveLength(1);
    expect(invalidation.hearing).toBe(false);
  });

  it('publishes to this process even when NOTIFY fails', async () => {
    const heard: CacheChange[] = [];
    const invalidation = new PostgresCacheInvalidation({
      connect: () => new FakeConnection(false),
      notify: async () => {
        throw new Error('database down');
      },
    });
    invalidation.subscribe('channel', (change) => heard.push(change));
    await expect(invalidation.publish('channel', 'c1')).resolves.toBeUndefined();
    expect(heard).toEqual([{ key: 'c1' }]);
  });
});
