// The embeddable chat widget: `<script src="https://hub.example/widget.js" data-channel="<channelId>"></script>`.
// Plain DOM in a shadow root (the shop's styles never reach it, ours never leak out) and the socket.io client: the
// whole script stays small. Everything a person wrote is set as text, never as HTML.
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
// Types only: the shared event map of `/widget` (the server's gateway is typed by the same map). Its zod schemas
// must not reach this bundle, so never import a value from it here.
import type { HandshakeRefusal, VisitorProof, WidgetAttachment, WidgetClientEvents, WidgetHandshake, WidgetIntake, WidgetIntakeStep, WidgetMessage, WidgetProductCard, WidgetServerEvents, WidgetSession } from '../../src/common/realtime/events';
import { WIDGET_STYLE } from './widget-style';
import { widgetLanguage, widgetText } from './widget-text';
import { WidgetCall } from './widget-call';

type Command = [string, ...unknown[]];
type WidgetSocket = Socket<WidgetServerEvents, WidgetClientEvents>;

const script = document.currentScript as HTMLScriptElement | null;
const channelId = script?.dataset.channel ?? '';
const hubUrl = script ? new URL(script.src).origin : location.origin;
const language = widgetLanguage(script?.dataset.lang ?? document.documentElement.lang);
const text = widgetText(language);
const storageKey = `tsunagi:${channelId}`;
/** How often the customer's draft goes to the agent while they type: under the hub's limit of 2 typing frames a second. */
const DRAFT_EVERY_MS = 600;
/** How long "staff are typing" stays after the agent's last keystroke was heard. */
const AGENT_TYPING_SHOWN_MS = 4000;
// A message the hub could not store yet (a burst: `ingest_busy`) or whose answer was lost is sent again this many times
// in all, spaced as the hub asks, before the visitor is asked to send it again.
const SEND_ATTEMPTS = 6;

/** `consented`: the version of the data notice the visitor agreed to (the hub keeps the evidence). */
type Stored = { visitorId?: string; consented?: string | boolean };

function stored(): Stored {
  try {
    return JSON.parse(localStorage.getItem(storageKey) ?? '{}') as Stored;
  } catch {
    return {};
  }
}

function store(patch: Stored): void {
  try {
    localStorage.setItem(storageKey, JSON.stringify({ ...stored(), ...patch }));
  } catch {
    // Private mode without storage: the chat works for this page view.
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, content?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (content !== undefined) node.textContent = content;
  return node;
}

/** A file in the chat: a preview that opens the file, a player for video and audio, a link for the rest. */
function fileElement(file: WidgetAttachment): HTMLElement {
  if (file.kind === 'image') {
    const link = element('a', { href: file.url, target: '_blank', rel: 'noopener', class: 'file' });
    link.append(element('img', { src: file.thumbnailUrl ?? file.url, alt: file.name, class: 'preview' }));
    return link;
  }
  if (file.kind === 'video' || file.kind === 'audio') return element(file.kind, { src: file.url, controls: '', 'aria-label': file.name, class: 'player' });
  return element('a', { href: file.url, target: '_blank', rel: 'noopener', download: file.name, class: 'file document' }, `📎 ${file.name}`);
}

/**
 * A product card the agent sent: the photo and the button both open the product through the card's link (the hub
 * counts the opening and sends the shopper on). A photo address that is not http(s) is left out: it comes from the
 * shop's feed.
 */
function productElement(card: WidgetProductCard): HTMLElement {
  const box = element('div', { class: 'product', role: 'group', 'aria-label': card.name });
  if (card.imageUrl && /^https?:\/\//i.test(card.imageUrl)) {
    const photo = element('a', { href: card.link, target: '_blank', rel: 'noopener', tabindex: '-1' });
    photo.append(element('img', { src: card.imageUrl, alt: '', class: 'product-photo' }));
    box.append(photo);
  }
  box.append(element('span', { class: 'product-name' }, card.name));
  if (card.variant) box.append(element('span', { class: 'product-variant' }, card.variant));
  if (card.priceText) box.append(element('span', { class: 'product-price' }, card.priceText));
  box.append(element('a', { href: card.link, target: '_blank', rel: 'noopener', class: 'product-view' }, card.label));
  return box;
}

/** The page the visitor is on, for the store it belongs to and what they are looking at. */
function currentPage(): { url: string; title?: string } {
  return { url: location.href.slice(0, 2000), ...(document.title ? { title: document.title.slice(0, 300) } : {}) };
}

/** The next opening in the visitor's language, on the team's clock (its zone named when it is not the visitor's). */
function openingText(opensAt: string, timeZone: string): string {
  const at = new Date(opensAt);
  const options: Intl.DateTimeFormatOptions = { timeZone, month: 'long', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit' };
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (local !== timeZone) options.timeZoneName = 'short';
  return new Intl.DateTimeFormat(language === 'en' ? 'en-US' : 'ja-JP', options).format(at);
}

/** A speech bubble drawn as SVG: no emoji font needed on the customer's device. */
function chatIcon(): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '28');
  svg.setAttribute('height', '28');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
  svg.append(path);
  return svg;
}

class Widget {
  private readonly host = element('div', { id: 'tsunagi-widget' });
  private readonly root = this.host.attachShadow({ mode: 'open' });
  private readonly launcher = element('button', { class: 'launcher', type: 'button', 'aria-label': text.open, 'aria-expanded': 'false' });
  private readonly panel = element('section', { class: 'panel', role: 'dialog', 'aria-label': text.title, hidden: '' });
  // A live region: screen readers read each message as it is added (only the addition, never the whole log again).
  private readonly log = element('ol', { class: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': text.messages });
  private readonly notice = element('p', { class: 'notice', role: 'status' });
  private readonly consent = element('label', { class: 'consent' });
  private readonly consentBox = element('input', { type: 'checkbox', name: 'consent' });
  private readonly input = element('textarea', { rows: '2', 'aria-label': text.placeholder, placeholder: text.placeholder });
  private readonly send = element('button', { type: 'submit', class: 'send' }, text.send);
  // `capture` lets a phone offer its camera; the hub takes what the team allows (images and PDF unless set).
  private readonly filePicker = element('input', { type: 'file', accept: 'image/*,application/pdf', capture: 'environment', 'aria-label': text.attach, class: 'file-input' });
  private readonly attachButton = element('label', { class: 'attach', title: text.attach }, '📎');
  private readonly form = element('form', { class: 'leave', hidden: '', 'aria-label': text.leaveTitle });
  private readonly rating = element('div', { class: 'rating', role: 'group', 'aria-label': text.rate });
  private readonly proofForm = element('form', { class: 'leave proof', hidden: '', 'aria-label': text.proveField });
  /** A transcript asked for before its address was proved: sent once the code is entered. */
  private transcriptAfterProof: string | null = null;
  private readonly messages = new Map<string, WidgetMessage>();
  private socket: WidgetSocket | null = null;
  private lastSeq: string | null = null;
  private draftTimer: ReturnType<typeof setTimeout> | null = null;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private pageTold = false;
  private readonly pending: Command[] = [];
  private session: WidgetSession | null = null;
  private readonly call = new WidgetCall(
    () => this.socket,
    text,
    element,
    (message) => this.status(message),
    () => this.toggle(true),
  );

  constructor() {
    const style = element('style', {}, WIDGET_STYLE);
    this.launcher.append(chatIcon());
    const header = element('header', {}, text.title);
    const close = element('button', { type: 'button', class: 'close', 'aria-label': text.close }, '×');
    header.append(close);
    this.consent.append(this.consentBox, element('span', {}, text.consentDefault));
    const composer = element('form', { class: 'composer', 'aria-label': text.composer });
    this.attachButton.append(this.filePicker);
    composer.append(this.attachButton, this.input, this.send);
    this.filePicker.addEventListener('change', () => {
      const file = this.filePicker.files?.[0];
      this.filePicker.value = '';
      if (file) void this.upload(file);
    });
    this.buildLeaveForm();
    this.buildProofForm();
    this.buildRating();
    this.panel.append(header, this.call.box, this.log, this.notice, this.form, this.proofForm, this.rating, this.buildTranscript(), this.consent, composer);
    this.root.append(style, this.launcher, this.panel);
    document.body.append(this.host);

    this.launcher.addEventListener('click', () => this.toggle(true));
    close.addEventListener('click', () => this.toggle(false));
    // Escape closes the open chat from anywhere in the widget (the launcher included), and the focus goes back to the launcher.
    this.root.addEventListener('keydown', (event: Event) => {
      if (!(event instanceof KeyboardEvent)) return;
      if (event.key === 'Escape' && !event.isComposing && !this.panel.hidden) {
        event.preventDefault();
        this.toggle(false);
      }
    });
    composer.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void this.submit();
      }
    });
    this.input.addEventListener('input', () => this.draftChanged());
    this.consentBox.addEventListener('change', () => {
      if (this.consentBox.checked) this.agree();
    });
    this.showConsent();
  }

  /** `Tsunagi('set', 'e-mail', ...)` and other calls the page makes, before or after the socket is up. */
  command(command: Command): void {
    const [name, ...args] = command;
    if (name === 'open') return this.toggle(true);
    if (!this.socket?.connected) {
      this.pending.push(command);
      return;
    }
    if (name === 'track') {
      // `Tsunagi('track', 'product_view' | 'add_to_cart', product)`, `('purchase', order)`, `('page_view')` (single-page shops).
      const [type, details] = args as [string, Record<string, unknown> | undefined];
      // Whatever the page passed: the hub checks it against the frame's schema and answers what was wrong.
      const frame = { type, url: location.href, ...(type === 'purchase' ? { order: details } : details ? { product: details } : {}) } as Parameters<WidgetClientEvents['track']>[0];
      this.socket.emit('track', frame, (ack) => {
        if (!ack.ok) console.warn(`Tsunagi: ${type} was not recorded: ${ack.message ?? ack.code}`);
      });
      return;
    }
    if (name === 'set') {
      const [key, value] = args as [string, string];
      const field = /mail/i.test(key) ? 'email' : /phone|tel/i.test(key) ? 'phone' : /name/i.test(key) ? 'name' : null;
      if (!field || typeof value !== 'string' || !value.trim()) return;
      const frame: Parameters<WidgetClientEvents['identify']>[0] = {};
      frame[field] = value.trim();
      this.socket.emit('identify', frame, (ack) => this.askForProof(ack.ok ? ack.proof : null));
    }
  }

  connect(): void {
    // `auth` is read again at every reconnection: the server resends what came after the last message we hold.
    const socket: WidgetSocket = io(`${hubUrl}/widget`, {
      transports: ['websocket'],
      // The page goes with the first connection only: a reconnection is not another page view.
      auth: (give) => give({ channelId, visitorId: stored().visitorId, ...(this.pageTold ? {} : { page: currentPage() }), ...(this.lastSeq ? { afterSeq: this.lastSeq } : {}) } satisfies WidgetHandshake),
    });
    this.socket = socket;
    socket.on('session', (session: WidgetSession) => {
      this.pageTold = true;
      this.session = session;
      store({ visitorId: session.visitorId });
      this.applyAppearance(session.appearance);
      this.showConsent();
      if (session.greeting && this.messages.size === 0 && !this.log.querySelector('.greeting')) {
        this.log.prepend(element('li', { class: 'greeting' }, session.greeting));
      }
      if (session.consentText) this.consent.querySelector('span')!.textContent = session.consentText;
      const fresh = this.messages.size === 0 && session.messages.length === 0;
      if (session.intake && fresh) this.showIntake(session.intake);
      for (const message of session.messages) this.add(message);
      this.notice.textContent = '';
      // Nobody can answer: said as the widget opens, with the message form at once (before any message).
      if (session.state.status !== 'open' && !session.conversationId) {
        this.status(session.state.status === 'closed' ? this.closedText(session.state.opensAt, session.state.timeZone) : text.unavailable);
        this.form.hidden = false;
      }
      for (const command of this.pending.splice(0)) this.command(command);
    });
    socket.on('message', (message) => this.add(message));
    socket.on('withdrawn', ({ id }) => this.withdrawn(id));
    this.call.listen(socket);
    // A shop that changes pages without reloading (history API, hash links): the hub learns each page (store detection).
    const moved = () => this.socket?.emit('page', currentPage(), () => {});
    window.addEventListener('popstate', moved);
    window.addEventListener('hashchange', moved);
    socket.on('typing', () => {
      this.status(text.agentTyping);
      // The agent stops typing without telling: the indicator fades unless they type on.
      if (this.typingTimer) clearTimeout(this.typingTimer);
      this.typingTimer = setTimeout(() => {
        if (this.notice.textContent === text.agentTyping) this.status('');
      }, AGENT_TYPING_SHOWN_MS);
    });
    socket.on('waiting', (event) => {
      this.status(event.reason === 'closed' ? this.closedText(event.opensAt, this.session?.state.timeZone ?? null) : text.unavailable);
      if (event.form) this.form.hidden = false;
    });
    socket.on('missed', () => {
      this.status(text.missed);
      this.form.hidden = false;
    });
    socket.on('slow_reply', () => {
      this.status(text.slow);
      this.form.hidden = false;
    });
    socket.on('disconnect', () => this.status(text.reconnecting));
    socket.on('connect_error', (error: Error & { data?: HandshakeRefusal }) => {
      this.status(error.data?.code === 'chat_unavailable' || error.data?.code === 'origin_not_allowed' ? text.unavailableHere : text.reconnecting);
    });
  }

  private toggle(open: boolean): void {
    this.panel.hidden = !open;
    this.launcher.setAttribute('aria-expanded', String(open));
    if (open) this.input.focus();
    else this.launcher.focus();
  }

  private closedText(opensAt: string | null, timeZone: string | null): string {
    return opensAt && timeZone ? text.closedUntil.replace('{opensAt}', openingText(opensAt, timeZone)) : text.closed;
  }

  /** The channel's colour, corner and launcher words; a page its URL patterns leave out shows no widget at all. */
  private applyAppearance(appearance: WidgetSession['appearance']): void {
    this.host.hidden = appearance.hidden;
    if (appearance.color) this.host.style.setProperty('--brand', appearance.color);
    this.host.classList.toggle('left', appearance.position === 'left');
    this.launcher.querySelector('.launcher-text')?.remove();
    this.launcher.classList.toggle('with-text', Boolean(appearance.launcherText));
    if (appearance.launcherText) this.launcher.append(element('span', { class: 'launcher-text' }, appearance.launcherText));
  }

  /** The visitor ticked the notice: the hub records the agreement (version, page) before anything is sent. */
  private agree(): void {
    const version = this.session?.consentVersion;
    if (!version || !this.socket) return;
    this.socket.emit('consent', { version, url: location.href.slice(0, 2000) }, (ack) => {
      if (!ack.ok) {
        this.consentBox.checked = false;
        return this.status(ack.message ?? text.notSent);
      }
      store({ consented: version });
      this.showConsent();
    });
  }

  private showConsent(): void {
    // Agreed to this version of the notice (a changed text is agreed to again); before the session, as stored.
    const consented = this.session ? stored().consented === this.session.consentVersion : false;
    this.consent.hidden = consented;
    this.input.disabled = !consented;
    this.send.disabled = !consented;
    if (consented) this.input.placeholder = text.placeholder;
    else this.input.placeholder = text.consentFirst;
  }

  private status(message: string): void {
    this.notice.textContent = message;
  }

  /** Adds a message once, in sequence order, wherever it came from (ack, live event or resync). */
  private add(message: WidgetMessage, fromServer = true): void {
    if (this.messages.has(message.id)) return;
    this.messages.set(message.id, message);
    // Only a sequence the server gave moves the resync point; our own message is placed after what we hold.
    if (fromServer && (!this.lastSeq || BigInt(message.seq) > BigInt(this.lastSeq))) this.lastSeq = message.seq;
    const item = element('li', { class: message.direction === 'in' ? 'mine' : 'theirs', 'data-seq': message.seq });
    if (message.direction === 'out' && message.author.name) item.append(element('span', { class: 'who' }, message.author.name));
    item.dataset.id = message.id;
    if (message.withdrawn) {
      item.append(element('span', { class: 'body' }, text.withdrawn));
      item.classList.add('withdrawn');
    } else {
      if (message.body) item.append(element('span', { class: 'body' }, message.body));
      for (const file of message.attachments ?? []) item.append(fileElement(file));
      for (const card of message.products ?? []) item.append(productElement(card));
    }
    const after = [...this.log.querySelectorAll<HTMLLIElement>('li[data-seq]')].find((node) => BigInt(node.dataset.seq!) > BigInt(message.seq));
    this.log.insertBefore(item, after ?? null);
    item.scrollIntoView?.({ block: 'end' });
    if (message.direction === 'out') this.status('');
  }

  /** The agent took a message back: its words leave the thread, a note that it was withdrawn stays in its place. */
  private withdrawn(id: string): void {
    const item = [...this.log.querySelectorAll<HTMLLIElement>('li[data-id]')].find((node) => node.dataset.id === id);
    if (!item) return;
    item.classList.add('withdrawn');
    // Its files leave with its words (a message of files only has no words to replace).
    item.querySelectorAll('.body, .file, .player').forEach((node) => node.remove());
    item.append(element('span', { class: 'body' }, text.withdrawn));
  }

  /**
   * A file over HTTP, not the socket: a frame is no place for megabytes. The visitor id is the sign-in, as on the
   * socket; the hub's answer is the message it made, shown here with the file read locally.
   */
  private async upload(file: File): Promise<void> {
    const visitorId = stored().visitorId;
    if (!visitorId || this.input.disabled) return;
    this.status(text.uploading);
    const form = new FormData();
    form.append('visitorId', visitorId);
    form.append('file', file, file.name);
    const response = await fetch(`${hubUrl}/api/widget/${encodeURIComponent(channelId)}/uploads`, { method: 'POST', body: form }).catch(() => null);
    const answer = (await response?.json().catch(() => null)) as { id?: string | null; message?: string } | null;
    if (!response?.ok || !answer?.id) {
      this.status(answer?.message ?? text.notSent);
      return;
    }
    this.status('');
    const local = URL.createObjectURL(file);
    const kind = file.type.startsWith('image/') ? 'image' : 'document';
    this.add(
      {
        id: answer.id,
        seq: this.lastSeq ?? '0',
        direction: 'in',
        body: '',
        author: { type: 'contact', name: null },
        createdAt: new Date().toISOString(),
        attachments: [{ url: local, thumbnailUrl: null, name: file.name, contentType: file.type, kind }],
      },
      false,
    );
  }

  private draftChanged(): void {
    if (this.draftTimer) return;
    this.draftTimer = setTimeout(() => {
      this.draftTimer = null;
      this.socket?.emit('typing', { draft: this.input.value }, () => {});
    }, DRAFT_EVERY_MS);
  }

  private async submit(): Promise<void> {
    const body = this.input.value.trim();
    if (!body || !this.socket || this.input.disabled) return;
    const clientId = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
    this.input.value = '';
    const ack = await this.sendMessage(body, clientId);
    if (!ack?.ok || !ack.id) {
      this.input.value = body;
      this.status(ack && !ack.ok ? ack.message : text.notSent);
      return;
    }
    if (this.notice.textContent === text.sending) this.status('');
    this.add({ id: ack.id, seq: this.lastSeq ?? '0', direction: 'in', body, author: { type: 'contact', name: null }, createdAt: new Date().toISOString() }, false);
  }

  /**
   * Sends a message, again with the same `clientId` while the hub is busy or its answer is lost: the hub stores one
   * message per `clientId` and answers a repeat with it, so a burst delays the message and never drops or doubles it.
   */
  private async sendMessage(body: string, clientId: string) {
    for (let attempt = 1; ; attempt++) {
      const ack = await this.socket?.timeout(10_000).emitWithAck('message', { body, clientId }).catch(() => null);
      const again = !ack || (!ack.ok && ack.code === 'ingest_busy');
      if (!again || attempt >= SEND_ATTEMPTS) return ack ?? null;
      this.status(text.sending);
      const waitSeconds = ack && !ack.ok && ack.retryAfterSeconds ? ack.retryAfterSeconds : 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, Math.min(waitSeconds, 30) * 1000));
    }
  }

  private buildLeaveForm(): void {
    // An email or a phone number: the hub answers by mail, or by SMS once the number is proved with its code.
    const email = element('input', { type: 'email', name: 'email', 'aria-label': text.email, placeholder: text.email, autocomplete: 'email' });
    const phone = element('input', { type: 'tel', name: 'phone', 'aria-label': text.phone, placeholder: text.phone, autocomplete: 'tel' });
    const body = element('textarea', { name: 'body', required: '', rows: '3', 'aria-label': text.leaveBody, placeholder: text.leaveBody });
    const submit = element('button', { type: 'submit' }, text.leaveSend);
    this.form.append(element('p', {}, text.leaveTitle), email, phone, body, submit);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!email.value.trim() && !phone.value.trim()) return this.status(text.contactEither);
      const contact = { ...(email.value.trim() ? { email: email.value } : {}), ...(phone.value.trim() ? { phone: phone.value } : {}) };
      this.socket?.emit('leave_message', { ...contact, body: body.value, clientId: `f${Date.now().toString(36)}` }, (ack) => {
        this.status(ack.ok ? (ack.channel === 'sms' ? text.leaveDonePhone : text.leaveDone) : ack.code === 'contact_required' ? text.contactEither : (ack.message ?? text.notSent));
        if (!ack.ok) return;
        this.form.hidden = true;
        this.askForProof(ack.proof);
      });
    });
  }

  /**
   * The channel's intake before the first message, one step at a time: buttons, or a line of the visitor's own words.
   * The answers go together when the path ends (the hub checks them against its tree), once the visitor has agreed.
   */
  private showIntake(intake: WidgetIntake): void {
    if (this.log.querySelector('.prechat')) return;
    const answers: Array<{ key: string; value: string }> = [];
    const byKey = new Map(intake.steps.map((step) => [step.key, step]));
    const ask = (step: WidgetIntakeStep) => {
      const item = element('li', { class: 'prechat theirs', 'data-step': step.key });
      item.append(element('span', { class: 'body' }, step.question));
      const answered = (value: string, next: string | undefined) => {
        if (this.input.disabled) return this.status(text.consentFirst);
        answers.push({ key: step.key, value });
        item.remove();
        this.log.append(element('li', { class: 'mine intake-answer' }, value));
        const following = next === undefined ? undefined : byKey.get(next);
        if (following) ask(following);
        else void this.finishIntake(answers);
      };
      if (step.kind === 'buttons') {
        const choices = element('div', { class: 'choices', role: 'group', 'aria-label': step.question });
        for (const option of step.options) {
          const button = element('button', { type: 'button' }, option.label);
          button.addEventListener('click', () => answered(option.label, option.next));
          choices.append(button);
        }
        item.append(choices);
      } else {
        const form = element('form', { class: 'intake-text', 'aria-label': step.question });
        const field = element('input', { name: step.key, required: '', maxlength: '500', 'aria-label': step.question, placeholder: step.placeholder ?? '' });
        form.append(field, element('button', { type: 'submit' }, text.intakeSend));
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          if (field.value.trim()) answered(field.value.trim(), step.next);
        });
        item.append(form);
      }
      this.log.append(item);
      item.querySelector<HTMLElement>('button, input')?.focus();
    };
    ask(intake.steps[0]);
  }

  private async finishIntake(answers: Array<{ key: string; value: string }>): Promise<void> {
    const clientId = `i${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
    const ack = await this.socket?.timeout(10_000).emitWithAck('intake', { answers, clientId }).catch(() => null);
    if (!ack?.ok) return this.status(ack && !ack.ok ? ack.message : text.notSent);
    for (const shown of this.log.querySelectorAll('.intake-answer')) shown.remove();
    if (ack.id) this.add({ id: ack.id, seq: this.lastSeq ?? '0', direction: 'in', body: answers.map((a) => a.value).join(' / '), author: { type: 'contact', name: null }, createdAt: new Date().toISOString() }, false);
    this.input.focus();
  }

  private buildTranscript(): HTMLElement {
    const box = element('details', { class: 'transcript' });
    const form = element('form', { 'aria-label': text.transcript });
    const email = element('input', { type: 'email', name: 'email', required: '', 'aria-label': text.email, placeholder: text.email });
    form.append(email, element('button', { type: 'submit' }, text.leaveSend));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      // The hub mails a transcript only to an address the visitor gave and proved: the first ask sends its code.
      this.socket?.emit('identify', { email: email.value }, (given) => {
        if (!given.ok) return this.status(given.message ?? text.notSent);
        this.requestTranscript(email.value, () => (box.open = false));
        this.askForProof(given.proof);
      });
    });
    box.append(element('summary', {}, text.transcript), form);
    return box;
  }

  private requestTranscript(email: string, done: () => void = () => {}): void {
    this.socket?.emit('transcript', { email }, (ack) => {
      if (!ack.ok && ack.code === 'address_unproven') {
        this.transcriptAfterProof = email;
        // The code this request sent; none when one sent before is still live (the visitor has it already).
        const proof = (ack.details as { proof?: VisitorProof } | undefined)?.proof ?? { kind: 'email' as const, sent: true };
        if (proof.sent) this.askForProof(proof);
        else this.status(text.notSent);
        return;
      }
      this.status(ack.ok ? text.transcriptDone : (ack.message ?? text.notSent));
      if (ack.ok) done();
    });
  }

  /** Shows the code field when the hub sent a code to an address the visitor gave. */
  private askForProof(proof: VisitorProof | null | undefined): void {
    if (!proof?.sent) return;
    this.proofForm.querySelector('p')!.textContent = proof.kind === 'phone' ? text.proveTitlePhone : text.proveTitle;
    this.proofForm.hidden = false;
    this.proofForm.querySelector('input')!.focus();
  }

  private buildProofForm(): void {
    const code = element('input', { name: 'code', required: '', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '12', 'aria-label': text.proveField, placeholder: text.proveField });
    this.proofForm.append(element('p', {}, text.proveTitle), code, element('button', { type: 'submit' }, text.proveSend));
    this.proofForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.socket?.emit('prove', { code: code.value }, (ack) => {
        this.status(ack.ok ? text.proved : (ack.message ?? text.notSent));
        if (!ack.ok) return;
        code.value = '';
        this.proofForm.hidden = true;
        if (this.transcriptAfterProof) this.requestTranscript(this.transcriptAfterProof);
        this.transcriptAfterProof = null;
      });
    });
  }

  private buildRating(): void {
    this.rating.append(element('span', {}, text.rate));
    for (let score = 1; score <= 5; score++) {
      const star = element('button', { type: 'button', 'aria-label': `${score} / 5` }, '★');
      star.addEventListener('click', () => {
        this.socket?.emit('rating', { score }, (ack) => this.status(ack.ok ? text.thanks : (ack.message ?? text.notSent)));
      });
      this.rating.append(star);
    }
  }
}

declare global {
  interface Window {
    Tsunagi?: ((...command: Command) => void) & { q?: Command[] };
  }
}

if (channelId && !document.getElementById('tsunagi-widget')) {
  const queued = window.Tsunagi?.q ?? [];
  const widget = new Widget();
  window.Tsunagi = (...command: Command) => widget.command(command);
  widget.connect();
  for (const command of queued) widget.command(command);
}
