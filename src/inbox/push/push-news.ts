import type { MessageView } from '../../conversations/index.js';
import type { OfferView } from '../../routing/index.js';
import type { PushNews } from './push-deliveries.service.js';
import type { PushLanguage } from './push.schema.js';

// The notifications' words, Japanese first, as the inbox's catalogs are. A lock screen shows them: ids stay out.
const words = {
  ja: {
    offer: '新しいチャット',
    transfer: '転送されたチャット',
    accept: '受ける',
    open: '開く',
    message: 'お客様からのメッセージ',
    attachment: '(ファイル)',
    sale: '売上が計上されました',
    approved: '下書きが承認されました',
    rejected: '下書きが差し戻されました',
    channel: { webchat: 'Webチャット', email: 'メール', sms: 'SMS', whatsapp: 'WhatsApp', line: 'LINE' } as Record<string, string>,
  },
  en: {
    offer: 'New chat',
    transfer: 'Chat transferred to you',
    accept: 'Accept',
    open: 'Open',
    message: 'Message from a customer',
    attachment: '(file)',
    sale: 'Sale credited to you',
    approved: 'Your draft was approved',
    rejected: 'Your draft was sent back',
    channel: { webchat: 'Web chat', email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp', line: 'LINE' } as Record<string, string>,
  },
} satisfies Record<PushLanguage, unknown>;

/** A lock screen shows two or three lines: a longer text is cut. */
const BODY_MAX = 140;

function cut(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > BODY_MAX ? `${flat.slice(0, BODY_MAX - 1)}…` : flat;
}

const conversationUrl = (conversationId: string) => `/app/conversations/${conversationId}`;

/** An offer: Accept in the notification; stale once the offer expires. */
export function offerNews(offer: OfferView): PushNews {
  return {
    kind: 'offers',
    expiresAt: new Date(offer.expiresAt),
    urgency: 'high',
    payload: (language) => {
      const w = words[language];
      const channel = w.channel[offer.channel.type] ?? offer.channel.type;
      return {
        kind: 'offers',
        title: offer.transfer ? w.transfer : w.offer,
        body: offer.preview ? `${channel}: ${cut(offer.preview)}` : channel,
        tag: `offer-${offer.id}`,
        url: conversationUrl(offer.conversationId),
        conversationId: offer.conversationId,
        offerId: offer.id,
        expiresAt: offer.expiresAt,
        actions: [
          { action: 'accept', title: w.accept },
          { action: 'open', title: w.open },
        ],
      };
    },
  };
}

export function messageNews(message: MessageView): PushNews {
  return {
    kind: 'messages',
    urgency: 'high',
    payload: (language) => ({
      kind: 'messages',
      title: words[language].message,
      body: message.body ? cut(message.body) : words[language].attachment,
      // One notification per chat: the latest message replaces the one before.
      tag: `chat-${message.conversationId}`,
      url: conversationUrl(message.conversationId),
      conversationId: message.conversationId,
    }),
  };
}

export function draftNews(message: MessageView): PushNews {
  const rejected = message.status === 'rejected';
  return {
    kind: 'drafts',
    payload: (language) => ({
      kind: 'drafts',
      title: rejected ? words[language].rejected : words[language].approved,
      body: cut(rejected && message.review?.feedback ? message.review.feedback : message.body),
      tag: `draft-${message.id}`,
      url: conversationUrl(message.conversationId),
      conversationId: message.conversationId,
    }),
  };
}

export function saleNews(sale: { id: string; amount: number; currency: string; conversationId: string }): PushNews {
  return {
    kind: 'sales',
    payload: (language) => ({
      kind: 'sales',
      title: words[language].sale,
      body: money(sale.amount, sale.currency, language),
      tag: `sale-${sale.id}`,
      url: conversationUrl(sale.conversationId),
      conversationId: sale.conversationId,
    }),
  };
}

/** An amount in the currency's minor unit (yen, cents), written the way the currency is. */
function money(minor: number, currency: string, language: PushLanguage): string {
  try {
    const format = new Intl.NumberFormat(language === 'ja' ? 'ja-JP' : 'en-GB', { style: 'currency', currency });
    return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${minor} ${currency}`;
  }
}
