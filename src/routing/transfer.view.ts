import type { TransferView } from './routing.events.js';

export function toTransferView(row: {
  id: string;
  conversationId: string;
  fromMemberId: string;
  toMemberId: string | null;
  groupId: string | null;
  note: string | null;
  status: string;
  acceptedById: string | null;
  expiresAt: Date;
}): TransferView {
  return {
    id: row.id,
    conversationId: row.conversationId,
    fromMemberId: row.fromMemberId,
    toMemberId: row.toMemberId,
    groupId: row.groupId,
    note: row.note,
    status: row.status as TransferView['status'],
    acceptedById: row.acceptedById,
    expiresAt: row.expiresAt.toISOString(),
  };
}
