import { Inject } from '@nestjs/common';
import { ConnectedSocket, MessageBody, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { randomBytes } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import { HUB_CONFIG } from '../../common/config/config.js';
import type { HubConfig } from '../../common/config/config.js';
import { toErrorBody } from '../../common/errors/error-response.js';
import { clientAddressOf, clientLimitKey } from '../../common/http/client-address.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { parseInput } from '../../common/http/validation.js';
import { logger } from '../../common/logging/logger.js';
import { callFrame, callSignalFrame, visitorCallEndFrame, widgetConsentFrame, widgetHandshake, widgetIdentifyFrame, widgetIntakeFrame, widgetLeaveMessageFrame, widgetMessageFrame, widgetPageFrame, widgetProveFrame, widgetRatingFrame, widgetTrackFrame, widgetTranscriptFrame, widgetTypingFrame } from '../../common/realtime/events/index.js';
import type { AllDescribed, Answer, Described, HandshakeRefusal, WidgetAcks, WidgetIntake, WidgetClientEvents, WidgetMessage, WidgetServerEvents } from '../../common/realtime/events/index.js';
import { frameHandler } from '../../common/realtime/frame-handler.js';
import { ChannelsService } from '../channels.service.js';
import { ChannelInbound } from '../inbound-port.js';
import { WebchatVisitors } from '../visitor-port.js';
import { WebchatCalls } from '../call-port.js';
import type { VisitorMessage } from '../visitor-port.js';
import { ChannelShopperEvents } from '../shopper-port.js';
import { normalizeWidgetMessage } from './webchat.normalizer.js';
import { intakeOf, noticeVersion, shownOn, walkIntake } from './intake.js';
import type { IntakeFlow } from './intake.js';
import { visitorIdSchema } from './webchat.schema.js';
import { WebchatSender, visitorRoom } from './webchat.sender.js';
import { verifyWidgetOrigin } from './webchat.verifier.js';
import type { WebchatAccount } from './webchat.schema.js';
import { WidgetLimitsService } from './widget-limits.service.js';
import { CLOCK } from '../../common/clock.js';
import type { Clock } from '../../common/clock.js';

interface VisitorSocketData {
  channel: WebchatAccount;
  visitorId: string;
  /** The client's address (HUB_TRUST_PROXY decides whether a proxy's X-Forwarded-For counts), for limits. */
  address: string;
}

/** The namespace and its sockets, typed by the shared event map: an event or payload the map lacks does not compile. */
type WidgetNamespace = Namespace<WidgetClientEvents, WidgetServerEvents, Record<string, never>, VisitorSocketData>;
type VisitorSocket = Socket<WidgetClientEvents, WidgetServerEvents, Record<string, never>, VisitorSocketData>;

/** A handler for one of the map's frames, answering with that frame's acknowledgement. */
const WidgetFrame = frameHandler<WidgetClientEvents>();

// The visitor's messages reach the browser as the map's `WidgetMessage`: `session` checks that they fit, and this
// that no field of them is left out of the map.
type _ViewsDescribed = AllDescribed<[Described<WidgetMessage, VisitorMessage>]>;

/**
 * The `/widget` namespace: one room per visitor (all their tabs), the visitor's messages handed to the hub's
 * inbound port exactly as a provider webhook's would be.
 */
@WebSocketGateway({ namespace: '/widget', cors: { origin: true, credentials: false } })
export class WebchatGateway implements OnGatewayInit {
  constructor(
    private readonly channels: ChannelsService,
    private readonly inbound: ChannelInbound,
    private readonly visitors: WebchatVisitors,
    private readonly sender: WebchatSender,
    private readonly shopper: ChannelShopperEvents,
    private readonly limits: WidgetLimitsService,
    private readonly calls: WebchatCalls,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  afterInit(namespace: WidgetNamespace): void {
    this.sender.attach(namespace);
    this.calls.attach(this.sender);
    // A middleware, not handleConnection: a refused handshake reaches the client as `connect_error` with the reason.
    namespace.use((socket, next) => {
      this.admit(socket).then(
        () => next(),
        (error: unknown) => {
          const body = toErrorBody(error);
          const data: HandshakeRefusal = body.retryAfterSeconds === undefined ? { code: body.code } : { code: body.code, retryAfterSeconds: body.retryAfterSeconds };
          next(Object.assign(new Error(body.message), { data }));
        },
      );
    });
    namespace.on('connection', (socket: VisitorSocket) => {
      void this.greet(socket).catch((error: unknown) => logger.error({ err: error }, 'widget session failed'));
    });
  }

  private async admit(socket: VisitorSocket): Promise<void> {
    const address = clientLimitKey(clientAddressOf(socket.request, this.config.trustProxy));
    // Counted before anything is parsed or looked up: a handshake refused later (an unknown channel, a wrong origin)
    // still costs its address a try, so channel reads cannot be had in a loop.
    await this.limits.handshake(address);
    const handshake = parseInput(widgetHandshake, socket.handshake.auth);
    const channel = verifyWidgetOrigin(await this.channels.account(handshake.channelId), socket.handshake.headers.origin);
    // Then the team's own budget, before anything is made for the visitor.
    await this.limits.session(channel, address);
    const visitorId = visitorIdSchema.safeParse(handshake.visitorId).success ? handshake.visitorId! : randomBytes(16).toString('base64url');
    if (await this.visitors.target.isBlocked(channel, { kind: 'visitor', address: visitorId })) {
      // Deliberately vague: a blocked person is never told they were blocked.
      throw new DomainError('forbidden', 'chat_unavailable', 'Chat is not available right now.');
    }
    socket.data = { channel, visitorId, address };
  }

  private async greet(socket: VisitorSocket): Promise<void> {
    const { channel, visitorId } = socket.data;
    await socket.join(visitorRoom(channel.id, visitorId));
    const handshake = parseInput(widgetHandshake, socket.handshake.auth);
    const afterSeq = handshake.afterSeq ?? null;
    if (handshake.page) await this.visitors.target.visitorPage(channel, visitorId, handshake.page, this.clock.now());
    const thread = await this.visitors.target.visitorThread(channel, visitorId, afterSeq);
    const state = await this.visitors.target.launchState(channel);
    const intake = intakeOf(channel.settings);
    const appearance = channel.settings.appearance;
    socket.emit('session', {
      visitorId,
      conversationId: thread.conversationId,
      greeting: channel.settings.greeting ?? null,
      consentText: channel.settings.consentText ?? null,
      consentVersion: noticeVersionOf(channel),
      consentRequired: channel.settings.requireConsent === true,
      preChat: channel.settings.preChat ?? null,
      intake: intake ? visitorIntake(intake) : null,
      state: { status: state.status, opensAt: state.opensAt?.toISOString() ?? null, timeZone: state.timeZone },
      appearance: {
        color: appearance?.color ?? null,
        position: appearance?.position ?? 'right',
        launcherText: appearance?.launcherText ?? null,
        hidden: !shownOn(appearance, handshake.page?.url),
      },
      messages: thread.messages,
    });
    if (handshake.page) await this.pageViewed(socket, handshake.page.url);
  }

  /**
   * A page the visitor is on is also the shopper's page view: the widget tells its page on every page load, and
   * on each move within a single-page shop. A page view the rate limit refuses costs that view, never the chat.
   */
  private async pageViewed(socket: VisitorSocket, url: string): Promise<void> {
    const { channel, visitorId } = socket.data;
    await this.shopper.target.record(channel, visitorId, { type: 'page_view', url }).catch((error: unknown) => {
      if (!(error instanceof DomainError)) throw error;
    });
  }

  /** `Tsunagi('track', ...)`: a product viewed, added to the cart, a purchase, a page (single-page shops). */
  @WidgetFrame('track')
  async track(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['track']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      await this.shopper.target.record(channel, visitorId, parseInput(widgetTrackFrame, frame));
      return {};
    });
  }

  @WidgetFrame('message')
  async message(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['message']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      const parsed = parseInput(widgetMessageFrame, frame);
      // Before the write: a refused message is not stored, and the widget keeps it to send again.
      await this.limits.message(channel, visitorId, socket.data.address);
      await this.assertAgreed(channel, visitorId);
      const [outcome] = await this.inbound.target.ingest(channel, [normalizeWidgetMessage(visitorId, parsed, this.clock.now())]);
      return { conversationId: outcome.conversationId ?? null, id: outcome.messageId ?? null, duplicate: !outcome.stored };
    });
  }

  @WidgetFrame('identify')
  async identify(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['identify']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      const details = parseInput(widgetIdentifyFrame, frame);
      await this.limits.frame('identify', channel, visitorId, socket.data.address);
      const { proof } = await this.visitors.target.identifyVisitor(channel, visitorId, details, socket.data.address);
      // The contact's id stays inside the hub: a visitor learns nothing about who else the team knows. `proof` says
      // a code went to the address (when the team asks for proof), whether or not anybody holds it.
      return proof ? { proof } : {};
    });
  }

  /** The code sent to an address the visitor gave: `proof_failed` (with `attemptsLeft`), `proof_locked`, `proof_expired`. */
  @WidgetFrame('prove')
  async prove(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['prove']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      const { code } = parseInput(widgetProveFrame, frame);
      return this.visitors.target.proveVisitor(channel, visitorId, code);
    });
  }

  /** The message form: answered by email when the team has an email channel (`channel` in the ack says which). */
  @WidgetFrame('leave_message')
  async leaveMessage(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['leave_message']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      const form = parseInput(widgetLeaveMessageFrame, frame);
      await this.limits.message(channel, visitorId, socket.data.address);
      await this.assertAgreed(channel, visitorId);
      const left = await this.visitors.target.leaveMessage(channel, visitorId, form, socket.data.address);
      return { conversationId: left.conversationId, channel: left.channelType, proof: left.proof };
    });
  }

  /**
   * The visitor ticked the data notice: the evidence (when, which version of which text, on which page) goes in the
   * consent ledger. A version other than the channel's current one is refused (`notice_outdated`): the page shows an
   * old text, and agreeing to it is not agreeing to this one.
   */
  @WidgetFrame('consent')
  async consent(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['consent']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      const { version, url } = parseInput(widgetConsentFrame, frame);
      await this.limits.frame('consent', channel, visitorId, socket.data.address);
      if (version !== noticeVersionOf(channel)) {
        throw new DomainError('conflict', 'notice_outdated', 'The data notice has changed; read it again and agree to the new one.', [{ field: 'version', message: 'is not the current notice' }]);
      }
      await this.visitors.target.agreeToNotice(channel, visitorId, { version, text: channel.settings.consentText ?? null, url });
      return {};
    });
  }

  /**
   * The intake's answers, walked through the channel's tree (`intake_answer_invalid`, `intake_incomplete`): they
   * open the chat as its first message and are stored on the conversation, with the group a step sends it to.
   */
  @WidgetFrame('intake')
  async intake(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['intake']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      const parsed = parseInput(widgetIntakeFrame, frame);
      const flow = intakeOf(channel.settings);
      if (!flow) throw new DomainError('conflict', 'intake_not_configured', 'This chat asks no intake questions.');
      const result = walkIntake(flow, parsed.answers);
      await this.limits.message(channel, visitorId, socket.data.address);
      await this.assertAgreed(channel, visitorId);
      const body = result.answers.map((a) => a.answer).join(' / ');
      const event = { ...normalizeWidgetMessage(visitorId, { body, clientId: parsed.clientId }, this.clock.now()), intake: result };
      const [outcome] = await this.inbound.target.ingest(channel, [event]);
      return { conversationId: outcome.conversationId ?? null, id: outcome.messageId ?? null };
    });
  }

  /** A channel that asks for the data notice first refuses what a visitor writes before they agreed to it. */
  private async assertAgreed(channel: WebchatAccount, visitorId: string): Promise<void> {
    if (channel.settings.requireConsent !== true) return;
    if (await this.visitors.target.agreedToNotice(channel, visitorId, noticeVersionOf(channel))) return;
    throw new DomainError('forbidden', 'data_notice_required', 'Please agree to the data notice before sending a message.');
  }

  /** "Send me this chat by email": answered with the address it goes to, or `invalid_email` naming the mistake. */
  @WidgetFrame('transcript')
  async transcript(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['transcript']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      const { email } = parseInput(widgetTranscriptFrame, frame);
      return this.visitors.target.visitorTranscript(channel, visitorId, email, socket.data.address);
    });
  }

  /** The rating form at the end of a chat: 1-5 and an optional comment, on the visitor's latest conversation. */
  @WidgetFrame('rating')
  async rating(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['rating']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      const rating = parseInput(widgetRatingFrame, frame);
      await this.limits.frame('rating', channel, visitorId, socket.data.address);
      const { conversationId } = await this.visitors.target.rateVisitorConversation(channel, visitorId, rating);
      if (!conversationId) throw new DomainError('conflict', 'no_conversation', 'There is no chat to rate yet.');
      return { conversationId };
    });
  }

  /** The visitor moved to another page with the widget open (a single-page shop): the access log grows. */
  @WidgetFrame('page')
  async page(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['page']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      const page = parseInput(widgetPageFrame, frame);
      await this.limits.frame('page', channel, visitorId, socket.data.address);
      await this.visitors.target.visitorPage(channel, visitorId, page, this.clock.now());
      await this.pageViewed(socket, page.url);
      return {};
    });
  }

  /** The visitor answers an agent's call: the ack carries the ICE servers made for them. */
  @WidgetFrame('call.accept')
  async callAccept(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['call.accept']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      return this.calls.target.accept(channel, visitorId, parseInput(callFrame, frame).callId);
    });
  }

  @WidgetFrame('call.decline')
  async callDecline(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['call.decline']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      await this.calls.target.decline(channel, visitorId, parseInput(callFrame, frame).callId);
      return {};
    });
  }

  /** Relayed only within a running call of this visitor's, which only an agent can start: no limit of its own. */
  @WidgetFrame('call.signal')
  async callSignal(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['call.signal']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      const { callId, signal } = parseInput(callSignalFrame, frame);
      await this.calls.target.signal(channel, visitorId, callId, signal);
      return {};
    });
  }

  @WidgetFrame('call.end')
  async callEnd(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['call.end']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      const { callId, reason } = parseInput(visitorCallEndFrame, frame);
      return { call: await this.calls.target.end(channel, visitorId, callId, reason) };
    });
  }

  @WidgetFrame('call.restart')
  async callRestart(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['call.restart']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      await this.calls.target.restart(channel, visitorId, parseInput(callFrame, frame).callId);
      return {};
    });
  }

  @WidgetFrame('typing')
  async typing(@ConnectedSocket() socket: VisitorSocket, @MessageBody() frame: unknown): Promise<WidgetAcks['typing']> {
    return answer(async () => {
      const { channel, visitorId } = socket.data;
      const { draft } = parseInput(widgetTypingFrame, frame);
      if (!(await this.limits.typing(channel, visitorId, socket.data.address))) return {};
      await this.visitors.target.customerTyping(channel, { kind: 'visitor', address: visitorId }, draft);
      return {};
    });
  }
}

async function answer<Accepted extends object>(work: () => Promise<Accepted>): Promise<Answer<Accepted>> {
  try {
    return { ok: true, ...(await work()) };
  } catch (error) {
    const body = toErrorBody(error);
    if (body.statusCode >= 500) logger.error({ err: error }, 'widget frame failed');
    return {
      ok: false,
      code: body.code,
      message: body.message,
      details: body.details,
      ...(body.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: body.retryAfterSeconds }),
    };
  }
}

/** The notice's version: the channel's own text, or the widget's default (whose words live in the widget). */
function noticeVersionOf(channel: WebchatAccount): string {
  return noticeVersion(channel.settings.consentText ?? 'widget-default-notice-1');
}

/** The intake as the visitor's widget asks it: the groups a step routes to stay on the server. */
function visitorIntake(flow: IntakeFlow): WidgetIntake {
  return {
    steps: flow.steps.map((step) =>
      step.kind === 'buttons'
        ? { key: step.key, kind: 'buttons', question: step.question, options: step.options.map(({ label, next }) => ({ label, ...(next ? { next } : {}) })) }
        : { key: step.key, kind: 'text', question: step.question, ...(step.placeholder ? { placeholder: step.placeholder } : {}), ...(step.next ? { next: step.next } : {}) },
    ),
  };
}
