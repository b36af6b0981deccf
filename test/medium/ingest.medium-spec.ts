import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { ChannelAccount, ChannelAddress } from '../../src/channels/index.js';
import { ConsentService } from '../../src/contacts/index.js';
import { ConversationEvents, ConversationsService } from '../../src/conversations/index.js';
import { IngestService } from '../../src/conversations/ingest.service.js';
import { startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { eventually } from '../support/eventually.js';
import { TestContext, createTestContext, inboundMessage } from '../support/test-context.js';

const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-0123456789';

let phones = 0;
/** A Japanese mobile number of its own per case, so cases never meet in one contact. */
const newPhone = (): ChannelAddress => ({ kind: 'phone', address: `+8190${String(10_000_000 + phones++).padStart(8, '0')}` });

describe(IngestService.name, () => {
  let ctx: TestContext;
  let ingest: IngestService;
  let fake: TwilioFake;
  let team: Awaited<ReturnType<TestContext['createTeam']>>;
  let sms: ChannelAccount;

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    ctx = await createTestContext();
    ingest = ctx.get(IngestService);
    team = await ctx.createTeam('葛西クリニック');
    sms = await twilioSms(team.teamId);
  });

  afterAll(async () => {
    await ctx?.close();
    await fake?.close();
  });

  beforeEach(() => {
    fake.sent.length = 0;
  });

  function twilioSms(teamId: string): Promise<ChannelAccount> {
    return ctx.createChannel(teamId, {
      type: 'sms',
      provider: 'twilio',
      config: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: fake.url, from: '+15005550006', sendsPerSecond: 200 },
    });
  }

  const messagesWithKey = (channelId: string, eventKey: string) => ctx.db.message.count({ where: { channelId, eventKey } });
  const contactsOf = (teamId: string, address: ChannelAddress) => ctx.db.contactIdentity.findMany({ where: { teamId, kind: address.kind, address: address.address } });

  describe('redelivery', () => {
    it('stores a message once however often the provider delivers its event, and answers each redelivery with the first', async () => {
      const event = inboundMessage(newPhone(), '予約できますか');

      const [first] = await ingest.ingest(sms, [event]);
      const [again] = await ingest.ingest(sms, [{ ...event, body: 'a body the provider changed' }]);
      const [third] = await ingest.ingest(sms, [event]);

      expect(first).toMatchObject({ stored: true });
      expect(again).toEqual({ stored: false, conversationId: first.conversationId, messageId: first.messageId });
      expect(third).toEqual(again);
      expect(await messagesWithKey(sms.id, event.eventKey)).toBe(1);
      expect((await ctx.db.message.findUniqueOrThrow({ where: { id: first.messageId! } })).body).toBe('予約できますか');
    });

    it('announces a redelivered message again, as it was stored: the hub that stored it may have stopped before telling the agents', async () => {
      const event = inboundMessage(newPhone(), '届いていますか');
      const announced: { id: string; body: string }[] = [];
      const off = ctx.get(ConversationEvents).on('message.created', ({ message }) => void announced.push({ id: message.id, body: message.body }));
      try {
        const [first] = await ingest.ingest(sms, [event]);
        await ingest.ingest(sms, [{ ...event, body: 'a body the provider changed' }]);

        expect(announced.filter((message) => message.id === first.messageId)).toEqual([
          { id: first.messageId, body: '届いていますか' },
          { id: first.messageId, body: '届いていますか' },
        ]);
      } finally {
        off();
      }
    });

    it('stores one message when the same event is ingested five times at once', async () => {
      const event = inboundMessage(newPhone(), '同時に届きました');

      const outcomes = (await Promise.all(Array.from({ length: 5 }, () => ingest.ingest(sms, [event])))).flat();

      // The unique key on (channel, event key) decides; every loser answers with the winner's message.
      expect(outcomes.filter((o) => o.stored)).toHaveLength(1);
      expect(new Set(outcomes.map((o) => o.messageId)).size).toBe(1);
      expect(await messagesWithKey(sms.id, event.eventKey)).toBe(1);
      expect(await ctx.db.conversation.count({ where: { channelId: sms.id, threadKey: { contains: event.from.address } } })).toBe(1);
    });

    it('opens no new conversation for a message redelivered after its conversation was resolved', async () => {
      const event = inboundMessage(newPhone(), 'ありがとうございました');
      const [first] = await ingest.ingest(sms, [event]);
      await ctx.get(ConversationsService).resolve(team.admin, first.conversationId!, {});

      const [again] = await ingest.ingest(sms, [event]);

      expect(again).toMatchObject({ stored: false, conversationId: first.conversationId });
      expect(await ctx.db.conversation.count({ where: { contactId: (await contactsOf(team.teamId, event.from))[0].contactId } })).toBe(1);
    });
  });

  describe('contacts and conversations', () => {
    it('makes one contact per address in a team, across its channels, and another in another team', async () => {
      const from = newPhone();
      const secondSms = await twilioSms(team.teamId);
      const other = await ctx.createTeam('池袋クリニック');
      const otherSms = await twilioSms(other.teamId);

      const outcomes = [
        ...(await ingest.ingest(sms, [inboundMessage(from, 'one')])),
        ...(await ingest.ingest(secondSms, [inboundMessage(from, 'two')])),
        ...(await ingest.ingest(otherSms, [inboundMessage(from, 'three')])),
      ];

      expect(await contactsOf(team.teamId, from)).toHaveLength(1);
      expect(await contactsOf(other.teamId, from)).toHaveLength(1);
      const [mine] = await contactsOf(team.teamId, from);
      const [theirs] = await contactsOf(other.teamId, from);
      expect(theirs.contactId).not.toBe(mine.contactId);
      const conversations = await ctx.db.conversation.findMany({ where: { id: { in: outcomes.map((o) => o.conversationId!) } } });
      expect(conversations.map((c) => c.contactId).sort()).toEqual([mine.contactId, mine.contactId, theirs.contactId].sort());
    });

    it('makes one contact when first messages from a new address arrive at once', async () => {
      const from = newPhone();
      const bodies = ['はじめまして', '予約です', '明日', '14時', 'お願いします'];

      const outcomes = (await Promise.all(bodies.map((body) => ingest.ingest(sms, [inboundMessage(from, body)])))).flat();

      expect(outcomes.every((o) => o.stored)).toBe(true);
      expect(await contactsOf(team.teamId, from)).toHaveLength(1);
      // The losers of the race made no contact of their own (a contact's placeholder name is its address).
      expect(await ctx.db.contact.count({ where: { teamId: team.teamId, name: from.address } })).toBe(1);
      // One live conversation per channel and thread: the other first messages join the first's.
      expect(new Set(outcomes.map((o) => o.conversationId)).size).toBe(1);
      expect(await ctx.db.message.count({ where: { conversationId: outcomes[0].conversationId! } })).toBe(bodies.length);
    });

    it('adds to the live conversation, and opens a new one after it was resolved', async () => {
      const from = newPhone();
      const [first] = await ingest.ingest(sms, [inboundMessage(from, '一通目')]);
      const [second] = await ingest.ingest(sms, [inboundMessage(from, '二通目')]);
      expect(second.conversationId).toBe(first.conversationId);

      await ctx.get(ConversationsService).resolve(team.admin, first.conversationId!, {});
      const [after] = await ingest.ingest(sms, [inboundMessage(from, '三通目')]);

      expect(after.conversationId).not.toBe(first.conversationId);
      const opened = await ctx.db.conversation.findUniqueOrThrow({ where: { id: after.conversationId! } });
      expect(opened).toMatchObject({ status: 'waiting', unreplied: true, lastMessagePreview: '三通目' });
    });
  });

  describe('consent keywords', () => {
    const consentOf = async (address: ChannelAddress) => ctx.get(ConsentService).states(team.teamId, (await contactsOf(team.teamId, address))[0].contactId);
    const systemReplies = (conversationId: string) => ctx.db.message.findMany({ where: { conversationId, direction: 'out', authorType: 'system' } });

    it('records STOP by SMS as an opt-out once, and leaves the confirmation to Twilio, which answers its own keywords', async () => {
      const from = newPhone();
      const stop = inboundMessage(from, ' stop! ');

      const [outcome] = await ingest.ingest(sms, [stop]);
      await ingest.ingest(sms, [stop]);

      expect((await consentOf(from)).sms).toBe('opted_out');
      expect(await ctx.db.contactEvent.count({ where: { eventKey: `${stop.eventKey}:consent` } })).toBe(1);
      expect(await systemReplies(outcome.conversationId!)).toEqual([]);
    });

    it('answers a Japanese opt-out keyword itself, once, and opts back in on START', async () => {
      const from = newPhone();
      const [outcome] = await ingest.ingest(sms, [inboundMessage(from, '配信停止')]);
      expect((await consentOf(from)).sms).toBe('opted_out');
      const replies = await systemReplies(outcome.conversationId!);
      expect(replies.map((m) => m.body)).toEqual(['葛西クリニックからの配信を停止しました。再開するには「START」とご返信ください。']);
      await eventually(async () => fake.sent.map((s) => s.form.To), (to) => to.includes(from.address), 5_000);

      // Already opted out: nothing changes, so nothing is said again.
      await ingest.ingest(sms, [inboundMessage(from, '停止')]);
      expect(await systemReplies(outcome.conversationId!)).toHaveLength(1);

      await ingest.ingest(sms, [inboundMessage(from, 'START')]);
      expect((await consentOf(from)).sms).toBe('opted_in');
    });

    it('reads a keyword inside a sentence, a tapped choice, or a web chat message as a message, not consent', async () => {
      const from = newPhone();
      await ingest.ingest(sms, [inboundMessage(from, 'STOP sending me the old price list please')]);
      await ingest.ingest(sms, [inboundMessage(from, 'Cancel', { choice: true })]);
      const webchat = await ctx.createChannel(team.teamId, { type: 'webchat', provider: 'webchat' });
      const visitor: ChannelAddress = { kind: 'visitor', address: `v-${phones++}` };
      await ingest.ingest(webchat, [inboundMessage(visitor, 'STOP')]);

      expect((await consentOf(from)).sms).toBe('none');
      expect(await ctx.db.contactEvent.count({ where: { contactId: (await contactsOf(team.teamId, visitor))[0].contactId } })).toBe(0);
    });
  });
});
