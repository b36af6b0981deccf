// One side of a video call, shared by the inbox and the widget: an RTCPeerConnection whose signals travel through the
// hub's sockets (`call.signal`), and the recovery from a dropped connection. Plain DOM: no framework, so the widget
// can carry it. Types only from the shared event map, so no zod reaches either bundle.
import type { CallIce, CallSignal } from '../../src/common/realtime/events';

/** How long a dropped call tries to come back before the caller gives up (`connection_lost`). */
export const REJOIN_MS = 30_000;
/** A `disconnected` connection often comes back by itself within a second or two; after this, ICE is restarted. */
const DISCONNECTED_GRACE_MS = 2_000;
/** While not connected again, another ICE restart this often: the first may have run while the relay was still down. */
const RESTART_EVERY_MS = 5_000;
/**
 * The callee gives up this much later than the caller would: normally the caller's end reaches it first; this is for
 * a caller whose browser went away without a word (closed, crashed), so the customer is not left waiting.
 */
const CALLEE_GRACE_MS = 10_000;

/** What the call shows: connecting, running, coming back after a drop, or gone. */
export type CallLinkState = 'connecting' | 'connected' | 'reconnecting' | 'lost';

export interface CallPeerOptions {
  ice: CallIce;
  /**
   * The caller (the agent) makes the offers, the first and one per ICE restart, and gives up after REJOIN_MS; the
   * callee answers, and asks the caller to restart when it sees the drop first.
   */
  caller: boolean;
  send: (signal: CallSignal) => void;
  /** The callee's "the connection dropped": the hub tells the caller (`call.restart`). */
  askRestart?: () => void;
  /** Fresh ICE servers before a restart (TURN credentials expire); the old ones when it fails. */
  refreshIce?: () => Promise<CallIce | null>;
  onRemoteStream: (stream: MediaStream) => void;
  onState: (state: CallLinkState) => void;
}

export class CallPeer {
  private readonly pc: RTCPeerConnection;
  /** Candidates that came before the remote description they belong to. */
  private readonly early: RTCIceCandidateInit[] = [];
  private droppedAt: number | null = null;
  private restartedAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(private readonly options: CallPeerOptions) {
    this.pc = new RTCPeerConnection({ iceServers: options.ice.iceServers, iceTransportPolicy: options.ice.iceTransportPolicy });
    this.pc.addEventListener('icecandidate', ({ candidate }) => {
      if (candidate) options.send({ candidate: { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex, usernameFragment: candidate.usernameFragment } });
    });
    this.pc.addEventListener('track', ({ streams, track }) => options.onRemoteStream(streams[0] ?? new MediaStream([track])));
    this.pc.addEventListener('iceconnectionstatechange', () => this.linkChanged());
  }

  /** Sends the local camera and microphone; the caller makes the first offer. */
  async start(local: MediaStream): Promise<void> {
    for (const track of local.getTracks()) this.pc.addTrack(track, local);
    this.options.onState('connecting');
    if (this.options.caller) await this.offer(false);
  }

  /** A signal from the other side, relayed by the hub. */
  async receive(signal: CallSignal): Promise<void> {
    if (this.closed) return;
    if ('candidate' in signal) {
      if (!this.pc.remoteDescription) this.early.push(signal.candidate);
      else await this.pc.addIceCandidate(signal.candidate).catch(() => undefined);
      return;
    }
    await this.pc.setRemoteDescription(signal.description);
    for (const candidate of this.early.splice(0)) await this.pc.addIceCandidate(candidate).catch(() => undefined);
    if (signal.description.type === 'offer') {
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      this.options.send({ description: { type: 'answer', sdp: this.pc.localDescription!.sdp } });
    }
  }

  /** The other side saw the drop first (`call.restart`): the caller restarts now, unless it already is. */
  restartNow(): void {
    if (!this.options.caller || this.closed) return;
    if (this.droppedAt === null) this.droppedAt = Date.now();
    void this.restart();
  }

  /** A camera switched (front and back on a phone): the same sender carries the new track, no renegotiation. */
  async replaceVideo(track: MediaStreamTrack): Promise<void> {
    const sender = this.pc.getSenders().find((s) => s.track?.kind === 'video');
    await sender?.replaceTrack(track);
  }

  close(): void {
    this.closed = true;
    this.clearTimer();
    this.pc.close();
  }

  private async offer(iceRestart: boolean): Promise<void> {
    await this.pc.setLocalDescription(await this.pc.createOffer({ iceRestart }));
    this.options.send({ description: { type: 'offer', sdp: this.pc.localDescription!.sdp } });
  }

  /**
   * `disconnected` or `failed`: the caller restarts ICE (after a short grace for `disconnected`, which often heals
   * alone) and again every few seconds, for REJOIN_MS in all; the callee asks the caller to. `connected` again ends
   * the recovery.
   */
  private linkChanged(): void {
    if (this.closed) return;
    const state = this.pc.iceConnectionState;
    if (state === 'connected' || state === 'completed') {
      this.droppedAt = null;
      this.clearTimer();
      this.options.onState('connected');
      return;
    }
    if (state !== 'disconnected' && state !== 'failed') return;
    const first = this.droppedAt === null;
    if (first) this.droppedAt = Date.now();
    this.options.onState('reconnecting');
    if (!this.options.caller) {
      this.options.askRestart?.();
      if (first) this.timer = setTimeout(() => this.options.onState('lost'), REJOIN_MS + CALLEE_GRACE_MS);
      return;
    }
    // A restart that fails at once (the relay still down) waits for the next round rather than spinning.
    if (state === 'failed' && Date.now() - this.restartedAt > DISCONNECTED_GRACE_MS) void this.restart();
    else if (first) this.schedule(DISCONNECTED_GRACE_MS);
  }

  private async restart(): Promise<void> {
    if (this.closed || this.droppedAt === null) return;
    this.clearTimer();
    this.restartedAt = Date.now();
    if (Date.now() - this.droppedAt >= REJOIN_MS) {
      this.options.onState('lost');
      return;
    }
    const fresh = await this.options.refreshIce?.().catch(() => null);
    if (this.closed) return;
    if (fresh) this.pc.setConfiguration({ iceServers: fresh.iceServers, iceTransportPolicy: fresh.iceTransportPolicy });
    // An offer may not be made while the last one waits for its answer: then the next round tries again.
    if (this.pc.signalingState === 'stable') await this.offer(true).catch(() => undefined);
    this.schedule(Math.min(RESTART_EVERY_MS, REJOIN_MS - (Date.now() - this.droppedAt)));
  }

  private schedule(ms: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => void this.restart(), Math.max(0, ms));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * The camera and microphone; `facing` picks the front (`user`) or back (`environment`) camera where a phone has both.
 * Null when the browser has none or the person refused them.
 */
export async function openCamera(facing: 'user' | 'environment'): Promise<MediaStream | null> {
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: true, video: { facingMode: facing } });
  } catch {
    return null;
  }
}

/** Only the camera, for a switch: the microphone's track stays as it is. */
export async function switchCamera(facing: 'user' | 'environment'): Promise<MediaStreamTrack | null> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { exact: facing } } });
    return stream.getVideoTracks()[0] ?? null;
  } catch {
    return null;
  }
}

/** Whether the device has more than one camera (a phone's front and back): only then is a switch offered. */
export async function hasSeveralCameras(): Promise<boolean> {
  const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
  return devices.filter((device) => device.kind === 'videoinput').length > 1;
}
