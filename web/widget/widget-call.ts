// The visitor's side of a video call in the widget: it rings with accept and decline, shows both pictures with
// mute, camera switch and hang up, and warns before the page is left while it runs. The chat goes on beside it and
// after it, whatever becomes of the call.
import type { Socket } from 'socket.io-client';
import type { CallEnded, CallSignal, WidgetClientEvents, WidgetServerEvents } from '../../src/common/realtime/events';
import { CallPeer, hasSeveralCameras, openCamera, switchCamera } from '../shared/call-peer';
import type { CallLinkState } from '../shared/call-peer';
import type { widgetText } from './widget-text';

type WidgetSocket = Socket<WidgetServerEvents, WidgetClientEvents>;
type Text = ReturnType<typeof widgetText>;

export class WidgetCall {
  readonly box: HTMLElement;
  private readonly ring: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly remote: HTMLVideoElement;
  private readonly local: HTMLVideoElement;
  private readonly state: HTMLElement;
  private readonly muteButton: HTMLButtonElement;
  private readonly cameraButton: HTMLButtonElement;
  private callId: string | null = null;
  /** This tab took the call (its accept may not be answered yet when the hub tells every tab it was taken). */
  private answering = false;
  private peer: CallPeer | null = null;
  private stream: MediaStream | null = null;
  private facing: 'user' | 'environment' = 'user';
  /** Signals that came before the peer was made (the offer can beat the accept's answer). */
  private readonly early: CallSignal[] = [];

  constructor(
    private readonly socket: () => WidgetSocket | null,
    private readonly text: Text,
    private readonly element: <K extends keyof HTMLElementTagNameMap>(tag: K, attributes?: Record<string, string>, content?: string) => HTMLElementTagNameMap[K],
    /** Shows a line in the widget's status (the chat's own notice). */
    private readonly status: (message: string) => void,
    /** Opens the chat panel: a call rings even while the chat is closed. */
    private readonly open: () => void,
  ) {
    const el = element;
    this.box = el('section', { class: 'call', 'aria-label': text.callTitle, hidden: '' });
    this.ring = el('div', { class: 'call-ring', role: 'alertdialog', 'aria-label': text.callIncoming });
    this.stage = el('div', { class: 'call-stage', hidden: '' });
    this.remote = el('video', { class: 'call-remote', autoplay: '', playsinline: '', 'aria-label': text.callRemote });
    this.local = el('video', { class: 'call-local', autoplay: '', playsinline: '', 'aria-label': text.callLocal });
    // Our own voice must not come back through our speaker.
    this.local.muted = true;
    this.state = el('p', { class: 'call-state', role: 'status' });
    this.muteButton = el('button', { type: 'button', 'aria-pressed': 'false' }, text.callMute);
    this.cameraButton = el('button', { type: 'button', hidden: '' }, text.callSwitchCamera);
    const hangUp = el('button', { type: 'button', class: 'call-end' }, text.callEnd);
    const controls = el('div', { class: 'call-controls' });
    controls.append(this.muteButton, this.cameraButton, hangUp);
    this.stage.append(this.remote, this.local, this.state, controls);
    this.box.append(this.ring, this.stage);
    this.muteButton.addEventListener('click', () => this.toggleMute());
    this.cameraButton.addEventListener('click', () => void this.switchCamera());
    hangUp.addEventListener('click', () => this.hangUp());
    // A refresh or a closed tab ends the call for the agent too: the browser asks first.
    window.addEventListener('beforeunload', (event) => {
      if (!this.callId || this.stage.hidden) return;
      event.preventDefault();
      event.returnValue = '';
    });
  }

  /** Wires the call's events of `/widget`. */
  listen(socket: WidgetSocket): void {
    socket.on('call.invite', ({ callId, agentName }) => this.invited(callId, agentName));
    socket.on('call.accepted', ({ callId }) => {
      // Another tab of the visitor's answered: this one stops ringing.
      if (callId === this.callId && !this.answering) this.reset();
    });
    socket.on('call.signal', ({ callId, signal }) => {
      if (callId !== this.callId) return;
      if (this.peer) void this.peer.receive(signal);
      else this.early.push(signal);
    });
    socket.on('call.ended', (ended) => this.ended(ended));
  }

  private invited(callId: string, agentName: string | null): void {
    if (this.callId) return;
    this.callId = callId;
    this.ring.replaceChildren();
    const accept = this.element('button', { type: 'button', class: 'call-accept' }, this.text.callAccept);
    const decline = this.element('button', { type: 'button', class: 'call-decline' }, this.text.callDecline);
    accept.addEventListener('click', () => void this.accept());
    decline.addEventListener('click', () => this.decline());
    this.ring.append(this.element('p', {}, (agentName ? this.text.callFrom.replace('{name}', agentName) : this.text.callIncoming)), accept, decline);
    this.ring.hidden = false;
    this.stage.hidden = true;
    this.box.hidden = false;
    this.open();
    accept.focus();
  }

  private async accept(): Promise<void> {
    const callId = this.callId;
    const socket = this.socket();
    if (!callId || !socket) return;
    this.ring.hidden = true;
    this.answering = true;
    this.stream = await openCamera(this.facing);
    if (!this.stream) {
      // No camera or microphone (none there, or refused): the call cannot run; the agent and the thread learn why.
      socket.emit('call.end', { callId, reason: 'media_unavailable' }, () => {});
      this.reset();
      return this.status(this.text.callNoCamera);
    }
    const ack = await socket.timeout(10_000).emitWithAck('call.accept', { callId }).catch(() => null);
    if (!ack?.ok) {
      this.reset();
      return this.status(this.text.callGone);
    }
    this.local.srcObject = this.stream;
    this.stage.hidden = false;
    this.cameraButton.hidden = !(await hasSeveralCameras());
    this.peer = new CallPeer({
      ice: ack,
      caller: false,
      send: (signal) => socket.emit('call.signal', { callId, signal }, () => {}),
      askRestart: () => socket.emit('call.restart', { callId }, () => {}),
      onRemoteStream: (stream) => {
        this.remote.srcObject = stream;
      },
      onState: (state) => (state === 'lost' ? this.giveUp() : this.showState(state)),
    });
    await this.peer.start(this.stream);
    for (const signal of this.early.splice(0)) await this.peer.receive(signal);
  }

  /** The connection stayed lost and no end came from the agent's side (its browser went away): the call ends here. */
  private giveUp(): void {
    const callId = this.callId;
    if (callId) this.socket()?.emit('call.end', { callId, reason: 'connection_lost' }, () => {});
    this.reset();
    this.status(this.text.callLost);
  }

  private decline(): void {
    const callId = this.callId;
    if (callId) this.socket()?.emit('call.decline', { callId }, () => {});
    this.reset();
  }

  private hangUp(): void {
    const callId = this.callId;
    if (callId) this.socket()?.emit('call.end', { callId, reason: 'hung_up' }, () => {});
    this.reset();
    this.status(this.text.callEnded);
  }

  private ended(ended: CallEnded): void {
    if (ended.callId !== this.callId) return;
    this.reset();
    // A call that failed leaves the chat as it was: the visitor is told what still works.
    this.status(ended.status === 'ended' ? this.text.callEnded : ended.reason === 'connection_lost' ? this.text.callLost : this.text.callMissed);
  }

  private showState(state: Exclude<CallLinkState, 'lost'>): void {
    this.state.textContent = state === 'connected' ? this.text.callConnected : state === 'reconnecting' ? this.text.callReconnecting : this.text.callConnecting;
    this.box.dataset.state = state;
  }

  private toggleMute(): void {
    const audio = this.stream?.getAudioTracks() ?? [];
    const muted = audio.some((track) => track.enabled);
    for (const track of audio) track.enabled = !muted;
    this.muteButton.setAttribute('aria-pressed', String(muted));
    this.muteButton.textContent = muted ? this.text.callUnmute : this.text.callMute;
  }

  private async switchCamera(): Promise<void> {
    const facing = this.facing === 'user' ? 'environment' : 'user';
    const track = await switchCamera(facing);
    if (!track || !this.stream || !this.peer) return;
    await this.peer.replaceVideo(track);
    for (const old of this.stream.getVideoTracks()) {
      old.stop();
      this.stream.removeTrack(old);
    }
    this.stream.addTrack(track);
    this.facing = facing;
  }

  private reset(): void {
    this.peer?.close();
    this.peer = null;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.callId = null;
    this.answering = false;
    this.early.length = 0;
    this.remote.srcObject = null;
    this.local.srcObject = null;
    this.box.hidden = true;
    this.stage.hidden = true;
    delete this.box.dataset.state;
  }
}
