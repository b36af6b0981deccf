import { Inject, OnModuleDestroy } from '@nestjs/common';
import { ConnectedSocket, MessageBody, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { notFound } from '../common/errors/domain-error.js';
import { toErrorBody } from '../common/errors/error-response.js';
import { parseInput } from '../common/http/validation.js';
import { logger } from '../common/logging/logger.js';
import { agentCallEndFrame, callFrame, callInviteFrame, callSignalFrame, inboxTypingFrame } from '../common/realtime/events/index.js';
import type {
  AllDescribed,
  Answer,
  Described,
  HandshakeRefusal,
  InboxAcks,
  InboxClientEvents,
  InboxConversation,
  InboxFloorChanged,
  InboxMessage,
  InboxMemberNotice,
  InboxNotification,
  InboxOffer,
  InboxReport,
  InboxSalesFigure,
  InboxServerEvents,
  InboxShopperEvent,
  InboxTransfer,
} from '../common/realtime/events/index.js';
import { frameHandler } from '../common/realtime/frame-handler.js';
import { CustomerNotices } from '../channels/index.js';
import { CallsService, ConversationEvents } from '../conversations/index.js';
import type { ConversationView, MessageView } from '../conversations/index.js';
import { ContactEvents } from '../contacts/index.js';
import { ReportEvents } from '../reports/index.js';
import type { ReportView } from '../reports/index.js';
import { OffersService, RoutingEvents } from '../routing/index.js';
import type { OfferView, TransferView } from '../routing/index.js';
import { SalesEvents } from '../sales/index.js';
import type { SalesFigure, ShopperEventView } from '../sales/index.js';
import { ACCESS_TOKENS, AccessTokens, MemberActivity, MemberDevices, TeamEvents, authenticateSession, deviceKindOf, hasRole, sessionStillValid } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { PresenceWatch } from './presence-watch.js';
import { NotificationsService } from './notifications.service.js';
import { MemberNews } from './member-news.service.js';

export const teamRoom = (teamId: string) => `team:${teamId}`;
export const memberRoom = (memberId: string) => `member:${memberId}`;
/** The team's supervisors' and administrators' sockets: the floor view's cues go there, not to every agent. */
export const floorRoom = (teamId: string) => `floor:${teamId}`;

/**
 * The token version the socket signed in with, and when it was last checked against the member's: a password
 * change or a deactivation on any process retires it.
 */
interface AgentSocketData {
  member: AuthMember;
  tokenVersion: number;
  checkedAt: number;
}

/** The namespace and its sockets, typed by the shared event map: an event or payload the map lacks does not compile. */
type InboxNamespace = Namespace<InboxClientEvents, InboxServerEvents, Record<string, never>, AgentSocketData>;
type AgentSocket = Socket<InboxClientEvents, InboxServerEvents, Record<string, never>, AgentSocketData>;

/** A handler for one of the map's frames, answering with that frame's acknowledgement. */
const InboxFrame = frameHandler<InboxClientEvents>();

// The modules' views reach agents as the map's wire types: the typed emits below check that each view fits, and
// this that no field of a view is left out of the map (a field a module adds must be described there too).
type _ViewsDescribed = AllDescribed<
  [
    Described<InboxMessage, MessageView>,
    Described<InboxConversation, ConversationView>,
    Described<InboxOffer, OfferView>,
    Described<InboxTransfer, TransferView>,
    Described<InboxReport, ReportView>,
    Described<InboxSalesFigure, SalesFigure>,
    Described<InboxShopperEvent, ShopperEventView>,
  ]
>;

/**
 * How long a socket's session check is trusted before an event looks again. Retired sessions are also disconnected
 * at once by `member.tokens_revoked`; this bounds the delay when that news is lost (another process died
 * between its commit and its event), well within the 5 seconds promised.
 */
const SESSION_CHECK_MS = 2_000;
/** A user agent is shown, not parsed further: kept to a length no real browser's exceeds. */
const USER_AGENT_MAX = 300;

/**
 * The agents' `/inbox` namespace. Every socket joins its team's room and its member's room, so every device
 * of a member hears every event; through the Redis adapter, events raised on one hub process reach agents
 * connected to any other.
 */
@WebSocketGateway({ namespace: '/inbox', cors: { origin: true } })
export class InboxGateway implements OnGatewayInit, OnModuleDestroy {
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(ACCESS_TOKENS) private readonly tokens: AccessTokens,
    private readonly conversationEvents: ConversationEvents,
    private readonly teamEvents: TeamEvents,
    private readonly contactEvents: ContactEvents,
    private readonly routingEvents: RoutingEvents,
    private readonly reportEvents: ReportEvents,
    private readonly salesEvents: SalesEvents,
    private readonly presence: PresenceWatch,
    private readonly offers: OffersService,
    private readonly notices: CustomerNotices,
    private readonly devices: MemberDevices,
    private readonly activity: MemberActivity,
    private readonly bells: NotificationsService,
    private readonly calls: CallsService,
    private readonly news: MemberNews,
  ) {}

  afterInit(namespace: InboxNamespace): void {
    namespace.use((socket, next) => {
      const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
      authenticateSession(this.db, this.tokens, token).then(
        ({ member, tokenVersion }) => {
          socket.data = { member, tokenVersion, checkedAt: performance.now() };
          next();
        },
        (error: unknown) => {
          const body = toErrorBody(error);
          const data: HandshakeRefusal = { code: body.code };
          next(Object.assign(new Error(body.message), { data }));
        },
      );
    });
    this.presence.attach(namespace, memberRoom);
    this.news.attach(namespace);
    // The members list's devices: the team's sockets on every process (the adapter asks the others).
    this.devices.attach(async (teamId) =>
      (await namespace.in(teamRoom(teamId)).fetchSockets()).map((socket) => {
        const agent = socket.handshake.headers['user-agent'];
        const userAgent = typeof agent === 'string' ? agent.slice(0, USER_AGENT_MAX) : null;
        return { memberId: socket.data.member.id, kind: deviceKindOf(userAgent), userAgent, connectedAt: new Date(socket.handshake.issued) };
      }),
    );
    const active = (memberId: string) => this.activity.record(memberId).catch((error: unknown) => logger.warn({ err: error, memberId }, 'activity not recorded'));
    namespace.on('connection', (socket: AgentSocket) => {
      const { member } = socket.data;
      void socket.join([teamRoom(member.teamId), memberRoom(member.id), ...(hasRole(member, 'supervisor') ? [floorRoom(member.teamId)] : [])]);
      void active(member.id);
      // Every event from the device first proves the session is still good; a retired one is refused and cut.
      socket.use((_packet, next) => {
        void active(member.id);
        if (performance.now() - socket.data.checkedAt < SESSION_CHECK_MS) return next();
        sessionStillValid(this.db, member.id, socket.data.tokenVersion).then(
          (valid) => {
            if (valid) {
              socket.data.checkedAt = performance.now();
              return next();
            }
            socket.emit('signed_out', { code: 'session_revoked' });
            socket.disconnect(true);
          },
          (error: unknown) => next(error instanceof Error ? error : new Error('session check failed')),
        );
      });
      socket.on('error', (error: Error) => logger.warn({ err: error, memberId: member.id }, 'inbox socket event refused'));
      // An offer made before this device connected (the member just signed in, a second phone) rings here too.
      this.offers.pendingFor(member.id).then(
        (offers) => offers.forEach((offer) => socket.emit('offer', offer)),
        (error: unknown) => logger.error({ err: error }, 'pending offers not sent'),
      );
      socket.on('disconnect', () => {
        this.presence.disconnected(member.id, member.teamId).catch((error: unknown) => logger.error({ err: error }, 'presence grace not set'));
      });
    });

    const toTeam = <E extends keyof InboxServerEvents>(teamId: string, event: E, ...payload: Parameters<InboxServerEvents[E]>): void => {
      namespace.to(teamRoom(teamId)).emit(event, ...payload);
    };
    const toFloor = (teamId: string, event: InboxFloorChanged): void => {
      namespace.to(floorRoom(teamId)).emit('floor.changed', event);
    };
    // Each notice is kept for the bells first, then heard live: a member who reloads still finds it.
    const keep = async (teamId: string, memberIds: string[], notice: InboxMemberNotice): Promise<void> => {
      for (const { memberId, view } of await this.bells.keep(teamId, memberIds, notice)) namespace.to(memberRoom(memberId)).emit('notification.added', view);
    };
    const toRoles = async (teamId: string, roles: ('supervisor' | 'administrator')[], notification: InboxNotification): Promise<void> => {
      const members = await this.db.member.findMany({ where: { teamId, role: { in: roles } }, select: { id: true } });
      for (const member of members) namespace.to(memberRoom(member.id)).emit('notification', notification);
      await keep(teamId, members.map((m) => m.id), notification);
    };
    const toSupervisors = (teamId: string, notification: InboxNotification) => toRoles(teamId, ['supervisor', 'administrator'], notification);
    this.unsubscribe.push(
      this.conversationEvents.on('message.created', ({ teamId, message }) => toTeam(teamId, 'message.created', message)),
      this.conversationEvents.on('message.updated', ({ teamId, message }) => toTeam(teamId, 'message.updated', message)),
      this.conversationEvents.on('conversation.updated', ({ teamId, conversation }) => toTeam(teamId, 'conversation.updated', conversation)),
      this.conversationEvents.on('customer.typing', ({ teamId, conversationId, draft }) => toTeam(teamId, 'typing', { conversationId, draft })),
      this.teamEvents.on('presence.updated', ({ teamId, memberId, status, reason }) => toTeam(teamId, 'presence.updated', { memberId, status, reason })),
      // The hub, not a colleague, put the member on a break: the bell says why.
      this.teamEvents.on('presence.updated', ({ teamId, memberId, status, reason }) =>
        status === 'break' && reason === 'ignored_offers' ? keep(teamId, [memberId], { type: 'break_after_ignored_offers', reason }) : undefined,
      ),
      // A trainee's draft reviewed: approval queues it, rejection ends it; later updates (sent, delivered) are not news.
      this.conversationEvents.on('message.updated', ({ teamId, message }) => {
        if (!message.review || message.author.type !== 'member' || !message.author.id) return;
        if (message.status !== 'queued' && message.status !== 'rejected') return;
        const type = message.status === 'rejected' ? 'draft_rejected' : 'draft_approved';
        return keep(teamId, [message.author.id], { type, messageId: message.id, conversationId: message.conversationId, feedback: message.review.feedback });
      }),
      // A colleague switched the member: each of their devices shows who and why.
      this.teamEvents.on('presence.set', ({ memberId, status, reason, by, at }) => {
        namespace.to(memberRoom(memberId)).emit('presence.set', { status, reason, by, at: at.toISOString() });
      }),
      // Retired sessions are signed out on every process (the adapter finds the member's sockets wherever they are);
      // a socket already opened with the fresh token (the device that changed the password reconnecting) stays.
      this.teamEvents.on('member.tokens_revoked', async ({ memberId, tokenVersion, reason }) => {
        const sockets = await namespace.in(memberRoom(memberId)).fetchSockets();
        for (const socket of sockets) {
          if (socket.data.tokenVersion >= tokenVersion) continue;
          socket.emit('signed_out', { code: reason });
          socket.disconnect(true);
        }
      }),
      // Blocking and merging are supervisors' business: each of them hears of it, on every device.
      this.contactEvents.on('contact.blocked', ({ teamId, contactId, name, blocked, by }) =>
        toSupervisors(teamId, { type: blocked ? 'contact_blocked' : 'contact_unblocked', contactId, name, by }),
      ),
      this.contactEvents.on('merge.proposed', ({ teamId, proposalId, contactId, otherContactId }) =>
        toSupervisors(teamId, { type: 'merge_proposed', proposalId, contactId, otherContactId }),
      ),
      // Offers go to the member's room: every device of theirs rings, and every device sees it withdrawn.
      this.routingEvents.on('offer.created', ({ teamId, memberId, offer }) => {
        namespace.to(memberRoom(memberId)).emit('offer', offer);
        toFloor(teamId, { cause: 'offer', conversationId: offer.conversationId });
      }),
      this.routingEvents.on('offer.withdrawn', ({ teamId, memberId, offerId, conversationId, reason }) => {
        namespace.to(memberRoom(memberId)).emit('offer.withdrawn', { offerId, conversationId, reason });
        toFloor(teamId, { cause: 'offer', conversationId });
      }),
      this.routingEvents.on('transfer.updated', ({ teamId, memberId, transfer }) => {
        namespace.to(memberRoom(memberId)).emit('transfer.updated', transfer);
        if (transfer.status === 'expired') return keep(teamId, [memberId], { type: 'transfer_expired', transferId: transfer.id, conversationId: transfer.conversationId });
      }),
      // Each report's delivery, live on the conversation it is about.
      this.reportEvents.on('report.updated', ({ teamId, report }) => toTeam(teamId, 'report.updated', report)),
      // Only administrators can map a purpose to another group.
      this.reportEvents.on('report-target.gone', ({ teamId, channelId, groupId, name, purposes }) =>
        toRoles(teamId, ['administrator'], { type: 'report_target_gone', channelId, groupId, name, purposes }),
      ),
      // A sale is the credited member's news: every device of theirs hears it, and their panel figure moves.
      this.salesEvents.on('sale.created', ({ teamId, memberId, sale }) => {
        namespace.to(memberRoom(memberId)).emit('sale.created', sale);
        toFloor(teamId, { cause: 'sale', conversationId: sale.conversationId });
        return keep(teamId, [memberId], { type: 'sale_credited', saleId: sale.id, orderId: sale.orderId, amount: sale.amount, currency: sale.currency, conversationId: sale.conversationId });
      }),
      this.salesEvents.on('sale.reversed', ({ teamId, memberId, sale }) => {
        namespace.to(memberRoom(memberId)).emit('sale.reversed', sale);
        toFloor(teamId, { cause: 'sale', conversationId: sale.conversationId });
      }),
      this.salesEvents.on('sales.figure', ({ memberId, figure }) => {
        namespace.to(memberRoom(memberId)).emit('sales.figure', figure);
      }),
      this.salesEvents.on('shopper.activity', ({ teamId, conversationId, event }) => toTeam(teamId, 'shopper.activity', { conversationId, event })),
      this.contactEvents.on('consent.changed', ({ teamId, contactId, channel, state }) => toTeam(teamId, 'consent.changed', { contactId, channel, state })),
      // A call is its caller's: every device of theirs hears its news, and the one that placed it (which knows the
      // call's id) acts on it. The rest of the team reads it in the thread.
      this.conversationEvents.on('call.accepted', ({ memberId, callId, conversationId }) => {
        namespace.to(memberRoom(memberId)).emit('call.accepted', { callId, conversationId });
      }),
      this.conversationEvents.on('call.signal', ({ memberId, callId, signal }) => {
        namespace.to(memberRoom(memberId)).emit('call.signal', { callId, signal });
      }),
      this.conversationEvents.on('call.restart', ({ memberId, callId }) => {
        namespace.to(memberRoom(memberId)).emit('call.restart', { callId });
      }),
      this.conversationEvents.on('call.ended', ({ memberId, call }) => {
        namespace.to(memberRoom(memberId)).emit('call.ended', call);
      }),
    );
  }

  /**
   * The agent is typing: a customer whose channel shows notices sees an indicator (the widget). A handler, not
   * a listener set on connection, so that the gateway's metadata lists every event it takes.
   */
  @InboxFrame('typing')
  async typing(@ConnectedSocket() socket: AgentSocket, @MessageBody() frame: unknown): Promise<InboxAcks['typing']> {
    try {
      const { conversationId } = parseInput(inboxTypingFrame, frame);
      const { member } = socket.data;
      const conversation = await this.db.conversation.findFirst({ where: { id: conversationId, teamId: member.teamId }, select: { channelId: true, threadKey: true } });
      if (!conversation) throw notFound('The conversation');
      await this.notices.notify(conversation, { type: 'typing', conversationId });
      return { ok: true };
    } catch (error) {
      const body = toErrorBody(error);
      if (body.statusCode >= 500) logger.error({ err: error }, 'agent typing not relayed');
      return { ok: false, code: body.code, message: body.message };
    }
  }

  /** A video call to the visitor of a web chat the member holds (`not_assigned`, `call_unsupported`, `call_in_progress`). */
  @InboxFrame('call.invite')
  async callInvite(@ConnectedSocket() socket: AgentSocket, @MessageBody() frame: unknown): Promise<InboxAcks['call.invite']> {
    return agentAnswer(async () => this.calls.invite(socket.data.member, parseInput(callInviteFrame, frame).conversationId));
  }

  @InboxFrame('call.signal')
  async callSignal(@ConnectedSocket() socket: AgentSocket, @MessageBody() frame: unknown): Promise<InboxAcks['call.signal']> {
    return agentAnswer(async () => {
      const { callId, signal } = parseInput(callSignalFrame, frame);
      await this.calls.memberSignal(socket.data.member, callId, signal);
      return {};
    });
  }

  @InboxFrame('call.end')
  async callEnd(@ConnectedSocket() socket: AgentSocket, @MessageBody() frame: unknown): Promise<InboxAcks['call.end']> {
    return agentAnswer(async () => {
      const { callId, reason } = parseInput(agentCallEndFrame, frame);
      return { call: await this.calls.memberEnd(socket.data.member, callId, reason) };
    });
  }

  @InboxFrame('call.ice')
  async callIce(@ConnectedSocket() socket: AgentSocket, @MessageBody() frame: unknown): Promise<InboxAcks['call.ice']> {
    return agentAnswer(async () => this.calls.memberIce(socket.data.member, parseInput(callFrame, frame).callId));
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe) off();
  }
}

/** A frame's work answered as its acknowledgement: `{ok: true, ...}`, or the refusal's code and sentence. */
async function agentAnswer<Accepted extends object>(work: () => Promise<Accepted>): Promise<Answer<Accepted>> {
  try {
    return { ok: true, ...(await work()) };
  } catch (error) {
    const body = toErrorBody(error);
    if (body.statusCode >= 500) logger.error({ err: error }, 'inbox frame failed');
    return { ok: false, code: body.code, message: body.message, ...(body.details === undefined ? {} : { details: body.details }) };
  }
}
