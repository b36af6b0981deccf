import { describe, expect, it } from '@jest/globals';
import { sendable } from './delivery-order.js';

const delivery = (seq: number, conversationId: string | null, endpointId = 'e1') => ({ id: `d${seq}`, seq: BigInt(seq), conversationId, endpointId });

describe('sendable', () => {
  it('lets only the earliest pending delivery of a conversation go, whatever order the rows came in', () => {
    const pending = [delivery(5, 'c1'), delivery(2, 'c1'), delivery(9, 'c1')];
    expect(sendable(pending).map((d) => d.id)).toEqual(['d2']);
  });

  // A failing conversation must not hold the others: each conversation's head goes.
  it('lets the head of every other conversation go beside a held one', () => {
    const pending = [delivery(1, 'c1'), delivery(2, 'c1'), delivery(3, 'c2'), delivery(4, 'c2'), delivery(6, 'c3')];
    expect(sendable(pending).map((d) => d.id)).toEqual(['d1', 'd3', 'd6']);
  });

  it('lets every delivery of no conversation go, unordered among themselves', () => {
    const pending = [delivery(3, null), delivery(1, 'c1'), delivery(2, null), delivery(4, 'c1')];
    expect(sendable(pending).map((d) => d.id)).toEqual(['d1', 'd2', 'd3']);
  });

  it('orders per endpoint: one conversation sent to two endpoints has a head at each', () => {
    const pending = [delivery(1, 'c1', 'e1'), delivery(2, 'c1', 'e2'), delivery(3, 'c1', 'e1'), delivery(4, 'c1', 'e2')];
    expect(sendable(pending).map((d) => d.id)).toEqual(['d1', 'd2']);
  });
});
