import { useEffect, useRef, useState } from 'react';
import type { ChangeEvent, ClipboardEvent, DragEvent, FormEvent, KeyboardEvent } from 'react';
import { answer, ApiError, hub } from '../api';
import type { Conversation, InboxSocket, Member, Message, Views } from '../api';
import { fill, useText } from '../i18n';
import { SidePanel } from './SidePanel';
import { ShopperPanel } from './ShopperPanel';
import { MessageFiles, uploadFile } from './MessageFiles';
import { ProductCards } from './ProductCards';
import type { PendingFile } from './MessageFiles';
import type { Language } from '../i18n';
import { enterSendsPreference } from '../shared/session';
import { describeError } from '../shared/error-catalog';
import { VideoCall, useCallEventText } from './VideoCall';

/** As long as the hub lets an agent withdraw a message (WITHDRAW_WINDOW_MS). */
const WITHDRAW_WINDOW_MS = 2 * 60_000;

type CannedReply = Views['CannedReply'];
type Sendability = Views['Sendability'];

/** `:7 ` or `:kanou ` just typed (the space or Tab after the code expands it). */
const SHORT_CODE = /(^|\s):([\p{L}\p{N}_-]{1,32})\s$/u;

export function ConversationPane(props: {
  conversation: Conversation;
  member: Member;
  messages: Message[];
  /** A message to open the thread at (a search hit): scrolled to and marked instead of the thread's end. */
  focus?: string;
  draft: string;
  enterSendsDefault: boolean;
  timeZone: string;
  language: Language;
  socket: InboxSocket | null;
  onBack: () => void;
  onResolved: () => void;
  reportsChanged: number;
}) {
  const { conversation, messages, draft, timeZone, language } = props;
  const text = useText();
  const callEventText = useCallEventText();
  const [body, setBody] = useState('');
  const [asNote, setAsNote] = useState(false);
  const [cannedReplyId, setCannedReplyId] = useState<string | null>(null);
  const [canned, setCanned] = useState<CannedReply[]>([]);
  const [error, setError] = useState<string | null>(null);
  // No outcome is chosen until the agent chooses one: a default would post bookings nobody made.
  const [outcome, setOutcome] = useState('');
  const [confirmingBooked, setConfirmingBooked] = useState(false);
  // Re-rendered every few seconds so the withdraw button goes away once its two minutes are over.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, []);
  const [enterSends, setEnterSends] = useState(() => enterSendsPreference.read(props.enterSendsDefault));
  const [sendability, setSendability] = useState<Sendability | null>(null);
  const [template, setTemplate] = useState<{ name: string; variables: Record<string, string> } | null>(null);
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [uploading, setUploading] = useState(0);
  const [dragging, setDragging] = useState(false);
  const log = useRef<HTMLOListElement>(null);
  const lastTyping = useRef(0);
  const time = new Intl.DateTimeFormat(language === 'ja' ? 'ja-JP' : 'en-GB', { timeZone, hour: '2-digit', minute: '2-digit', month: 'numeric', day: 'numeric' });

  useEffect(() => {
    void answer(hub.GET('/api/canned-replies')).then((page) => setCanned(page.items));
  }, []);

  // Asked again whenever the thread moves: a customer's message reopens a closed WhatsApp window.
  useEffect(() => {
    void answer(hub.GET('/api/conversations/{id}/can-send', { params: { path: { id: conversation.id } } })).then(setSendability);
  }, [conversation.id, conversation.status, messages.length]);

  // Opened at a message: it is brought into view once it is loaded; the thread's end is left to the agent to scroll to.
  const focusShown = useRef(false);
  useEffect(() => {
    const focused = props.focus ? log.current?.querySelector(`[data-message="${CSS.escape(props.focus)}"]`) : null;
    if (focused && !focusShown.current) {
      focusShown.current = true;
      focused.scrollIntoView?.({ block: 'center' });
      return;
    }
    if (!props.focus || !focusShown.current) log.current?.lastElementChild?.scrollIntoView?.({ block: 'end' });
  }, [messages.length, draft, props.focus]);

  const expand = async (code: string): Promise<CannedReply | null> => {
    try {
      return await answer(hub.GET('/api/canned-replies/expand', { params: { query: { code, conversationId: conversation.id } } }));
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 404) return null;
      throw failure;
    }
  };

  const changed = async (event: ChangeEvent<HTMLTextAreaElement>) => {
    const value = event.target.value;
    setBody(value);
    // At most every two seconds: the customer's indicator only needs to know the agent is still at it.
    if (Date.now() - lastTyping.current > 2000) {
      lastTyping.current = Date.now();
      props.socket?.emit('typing', { conversationId: conversation.id }, () => {});
    }
    const match = SHORT_CODE.exec(value);
    if (!match) return;
    const reply = await expand(match[2]);
    if (!reply) return;
    setBody(value.slice(0, value.length - match[0].length) + match[1] + reply.body);
    setCannedReplyId(reply.id);
  };

  const insert = async (reply: CannedReply) => {
    const expanded = await expand(reply.shortCode);
    if (!expanded) return;
    setBody((value) => (value ? `${value}\n${expanded.body}` : expanded.body));
    setCannedReplyId(expanded.id);
  };

  // Each file goes up on its own as soon as it is picked, dropped or pasted: a refusal (a type, a size, a channel that
  // cannot carry it) shows before the agent writes a word more.
  const attach = async (picked: Iterable<File>) => {
    setError(null);
    for (const file of picked) {
      setUploading((n) => n + 1);
      try {
        const pending = await uploadFile(conversation.id, file);
        setFiles((current) => [...current, pending]);
      } catch (failure) {
        setError(failure instanceof ApiError ? failure.message : String(failure));
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };

  const removeFile = (id: string) =>
    setFiles((current) => {
      current.filter((f) => f.id === id && f.preview).forEach((f) => URL.revokeObjectURL(f.preview!));
      return current.filter((f) => f.id !== id);
    });

  const dropped = (event: DragEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length > 0) void attach(Array.from(event.dataTransfer.files));
  };

  const pasted = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const pastedFiles = Array.from(event.clipboardData.files);
    if (pastedFiles.length === 0) return;
    event.preventDefault();
    void attach(pastedFiles);
  };

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const withFiles = files.length > 0 && !asNote;
    if (!body.trim() && !withFiles) return;
    setError(null);
    try {
      await answer(
        hub.POST('/api/conversations/{id}/messages', {
          params: { path: { id: conversation.id } },
          body: {
            ...(body.trim() ? { body } : {}),
            kind: asNote ? 'note' : 'text',
            ...(cannedReplyId && !asNote ? { cannedReplyId } : {}),
            ...(withFiles ? { attachments: files.map((f) => f.id) } : {}),
          },
        }),
      );
      setBody('');
      setCannedReplyId(null);
      if (withFiles) {
        files.forEach((f) => f.preview && URL.revokeObjectURL(f.preview));
        setFiles([]);
      }
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  /** Catalog products as cards, on their own (the composer's text stays for the agent to send when ready). */
  const sendProducts = async (productIds: string[]) => {
    setError(null);
    try {
      await answer(hub.POST('/api/conversations/{id}/messages', { params: { path: { id: conversation.id } }, body: { products: productIds } }));
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  /** A product the shopper viewed, found in the catalog by its SKU, sent back as a card. */
  const sendViewed = async (sku: string) => {
    setError(null);
    try {
      const found = await answer(hub.GET('/api/catalog/products', { params: { query: { q: sku, limit: 20 } } }));
      const product = found.items.find((item) => item.sku === sku);
      if (!product) return setError(fill(text.shopper.notInCatalog, { sku }));
      await sendProducts([product.id]);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  const sendTemplate = async (event: FormEvent) => {
    event.preventDefault();
    if (!template) return;
    setError(null);
    try {
      await answer(hub.POST('/api/conversations/{id}/messages', { params: { path: { id: conversation.id } }, body: { template } }));
      setTemplate(null);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  const blocked = sendability !== null && !sendability.ok;
  const templateOnly = sendability !== null && !sendability.ok && sendability.templateOnly;
  const chosen = sendability?.templates.find((t) => t.name === template?.name) ?? null;

  const keyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== 'Enter' || event.nativeEvent.isComposing) return;
    if (event.shiftKey === !enterSends) {
      event.preventDefault();
      void send();
    }
  };

  const customerWrote = messages.some((message) => message.direction === 'in' && message.author.type === 'contact' && (message.kind === 'text' || message.kind === 'media'));

  const resolve = async (chosen: string | null, confirmed = false) => {
    setError(null);
    // A booking in a chat where the customer never wrote is asked about first (the hub refuses it unconfirmed too).
    if (chosen === 'booked' && !confirmed && !customerWrote) {
      setConfirmingBooked(true);
      return;
    }
    setConfirmingBooked(false);
    try {
      await answer(
        hub.POST('/api/conversations/{id}/resolve', { params: { path: { id: conversation.id } }, body: chosen ? { outcome: chosen, ...(confirmed ? { confirmed } : {}) } : {} }),
      );
      setOutcome('');
      props.onResolved();
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'outcome_needs_confirmation') setConfirmingBooked(true);
      else setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  const withdraw = async (messageId: string) => {
    setError(null);
    try {
      await answer(hub.POST('/api/conversations/{id}/messages/{messageId}/withdraw', { params: { path: { id: conversation.id, messageId } } }));
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  // Only web chat can take a message back from the customer's screen; elsewhere the hub refuses, so no button.
  const withdrawable = (message: Message) =>
    conversation.channel.type === 'webchat' &&
    message.direction === 'out' &&
    message.kind !== 'note' &&
    !message.unsent &&
    message.author.type === 'member' &&
    message.author.id === props.member.id &&
    !['failed', 'rejected', 'pending_approval'].includes(message.status) &&
    now - new Date(message.createdAt).getTime() < WITHDRAW_WINDOW_MS;

  const toggleEnterSends = () => {
    enterSendsPreference.write(!enterSends);
    setEnterSends(!enterSends);
  };

  return (
    <div className="conversation">
    <main className="pane" aria-label={conversation.contact.name}>
      <header className="pane-header">
        <button type="button" className="back" onClick={props.onBack} aria-label={text.conversations}>
          ←
        </button>
        <h2>{conversation.contact.name}</h2>
        <span className={`channel channel-${conversation.channel.type}`}>{text.channel[conversation.channel.type] ?? conversation.channel.type}</span>
        <label>
          {text.outcome}
          <select value={outcome} onChange={(e) => setOutcome(e.target.value)}>
            <option value="" disabled>
              {text.chooseOutcome}
            </option>
            <option value="booked">{text.booked}</option>
            <option value="not_booked">{text.notBooked}</option>
            <option value="other">{text.other}</option>
          </select>
        </label>
        <button type="button" onClick={() => void resolve(outcome)} disabled={conversation.status === 'resolved' || !outcome}>
          {text.resolve}
        </button>
        <button type="button" onClick={() => void resolve(null)} disabled={conversation.status === 'resolved'}>
          {text.resolveWithoutOutcome}
        </button>
      </header>
      {confirmingBooked && (
        <div role="alertdialog" aria-label={text.confirmBookedYes} className="confirm">
          <p>{text.confirmBooked}</p>
          <button type="button" onClick={() => void resolve('booked', true)}>
            {text.confirmBookedYes}
          </button>
          <button type="button" onClick={() => setConfirmingBooked(false)}>
            {text.cancel}
          </button>
        </div>
      )}
      <ShopperPanel conversationId={conversation.id} socket={props.socket} onSend={conversation.status === 'resolved' ? undefined : (sku) => void sendViewed(sku)} />
      {conversation.channel.type === 'webchat' && (
        <VideoCall
          key={conversation.id}
          conversationId={conversation.id}
          socket={props.socket}
          language={language}
          canCall={conversation.status !== 'resolved' && conversation.assigneeId === props.member.id}
        />
      )}

      <ol className="thread" ref={log} aria-label={text.conversations} aria-live="polite">
        {messages.map((message) => (
          <li
            key={message.id}
            className={`message ${message.kind === 'note' ? 'note' : message.direction}${message.id === props.focus ? ' focused' : ''}`}
            data-message={message.id}
            aria-current={message.id === props.focus ? 'true' : undefined}
          >
            {message.kind === 'note' && <span className="tag">{text.internalNote}</span>}
            {/* Text, never HTML: whatever a customer or an agent wrote is shown as written. */}
            {message.unsent ? (
              <p className="body withdrawn">{message.direction === 'out' ? text.withdrawn : text.unsentByCustomer}</p>
            ) : (
              <>
                {message.body && <p className="body">{callEventText(message) ?? message.body}</p>}
                <MessageFiles attachments={message.attachments} />
                <ProductCards products={message.products} language={language} timeZone={timeZone} />
              </>
            )}
            <span className="meta">
              <time dateTime={message.createdAt}>{time.format(new Date(message.createdAt))}</time>
              {message.direction === 'out' && message.kind !== 'note' && message.kind !== 'event' && <span className="status"> · {text.status[message.status] ?? message.status}</span>}
            </span>
            {message.error && (
              <span className="failure">{fill(text.failedBecause, { reason: describeError(language, message.errorCode ?? 'provider_refused', message.errorDetails) })}</span>
            )}
            {withdrawable(message) && (
              <button type="button" className="withdraw" onClick={() => void withdraw(message.id)}>
                {text.withdraw}
              </button>
            )}
            {message.review?.feedback && <span className="failure">{message.review.feedback}</span>}
          </li>
        ))}
        {draft && (
          <li className="message in draft" aria-live="polite">
            <p className="body">{fill(text.typing, { draft })}</p>
          </li>
        )}
      </ol>

      {blocked && sendability && !sendability.ok && (
        <p role="status" className="refusal">
          {describeError(language, sendability.code)}
        </p>
      )}
      {templateOnly && sendability && (
        <form className="templates" onSubmit={sendTemplate} aria-label={text.templates}>
          <label>
            {text.templates}
            <select value={template?.name ?? ''} onChange={(e) => setTemplate(e.target.value ? { name: e.target.value, variables: {} } : null)}>
              <option value="">—</option>
              {sendability.templates.map((t) => (
                <option key={`${t.name}:${t.language}`} value={t.name}>
                  {t.name} ({t.language})
                </option>
              ))}
            </select>
          </label>
          {chosen?.text && <p className="template-text">{chosen.text}</p>}
          {chosen?.variables.map((variable) => (
            <label key={variable}>
              {variable}
              <input required value={template?.variables[variable] ?? ''} onChange={(e) => setTemplate({ name: chosen.name, variables: { ...template?.variables, [variable]: e.target.value } })} />
            </label>
          ))}
          <button type="submit" disabled={!template}>
            {text.send}
          </button>
        </form>
      )}
      <form
        className={`composer${dragging ? ' dragging' : ''}`}
        onSubmit={send}
        aria-label={text.composer}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={dropped}
      >
        {dragging && <p className="drop-hint">{text.dropFiles}</p>}
        {(files.length > 0 || uploading > 0) && (
          <ul className="pending-files" aria-label={text.attachFile}>
            {files.map((f) => (
              <li key={f.id}>
                {f.preview ? <img src={f.preview} alt={f.name} /> : <span>📎 {f.name}</span>}
                <button type="button" onClick={() => removeFile(f.id)} aria-label={`${text.removeFile}: ${f.name}`}>
                  ×
                </button>
              </li>
            ))}
            {uploading > 0 && <li role="status">{text.uploading}</li>}
          </ul>
        )}
        <textarea
          onPaste={pasted}
          disabled={blocked && !asNote}
          name="reply"
          aria-label={text.composer}
          placeholder={enterSends ? text.composerHintEnter : text.composerHintShift}
          value={body}
          rows={3}
          onChange={(e) => void changed(e)}
          onKeyDown={keyDown}
        />
        <div className="composer-actions">
          <label className="attach">
            📎 {text.attachFile}
            {/* `capture` lets a phone offer its camera beside the file picker. */}
            <input
              type="file"
              multiple
              accept="image/*,video/mp4,audio/*,application/pdf,.docx,.xlsx,.pptx"
              capture="environment"
              onChange={(e) => {
                if (e.target.files) void attach(Array.from(e.target.files));
                e.target.value = '';
              }}
            />
          </label>
          <label>
            <input type="checkbox" checked={asNote} onChange={(e) => setAsNote(e.target.checked)} /> {text.note}
          </label>
          <label>
            <input type="checkbox" checked={enterSends} onChange={toggleEnterSends} /> {text.enterSends}
          </label>
          <details className="canned">
            <summary>{text.cannedReplies}</summary>
            <ul>
              {canned.map((reply) => (
                <li key={reply.id}>
                  <button type="button" onClick={() => void insert(reply)}>
                    :{reply.shortCode} {reply.title}
                  </button>
                </li>
              ))}
            </ul>
          </details>
          <button type="submit" disabled={blocked && !asNote}>
            {text.send}
          </button>
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
    </main>
    <SidePanel conversation={conversation} memberId={props.member.id} reportsChanged={props.reportsChanged} onSendProducts={conversation.status === 'resolved' ? undefined : (ids) => void sendProducts(ids)} />
    </div>
  );
}
