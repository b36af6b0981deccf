import { useEffect, useRef, useState } from 'react';
import type { CallEnded, CallEndReason, CallIce } from '../../../../src/common/realtime/events';
import type { InboxSocket, Message } from '../api';
import { fill, useWords } from '../i18n';
import type { Language } from '../i18n';
import { describeError } from '../shared/error-catalog';
import { useInboxEvent } from '../shared/socket';
import { CallPeer, hasSeveralCameras, openCamera, switchCamera } from '../../../shared/call-peer';
import type { CallLinkState } from '../../../shared/call-peer';
import { callWords } from './words';

/** As long as the hub lets a call ring (CALL_RING_SECONDS): then it rang out, `no_answer`. */
const RING_MS = 45_000;

type Words = (typeof callWords)['ja'];

/** `2分05秒` / `2 min 05 s`. */
function durationText(words: Words, seconds: number): string {
  return fill(words.duration, { m: Math.floor(seconds / 60), s: String(seconds % 60).padStart(2, '0') });
}

/** What a call's end says to the agent. */
function endText(words: Words, ended: Pick<CallEnded, 'status' | 'reason' | 'durationSeconds'>): string {
  return ended.status === 'ended' ? fill(words.ended, { duration: durationText(words, ended.durationSeconds) }) : words.failed[ended.reason];
}

/** A call event of the thread (`attachments[0].meta.type` `call_*`) in the member's language; null for other messages. */
export function useCallEventText(): (message: Message) => string | null {
  const words = useWords(callWords);
  return (message) => {
    const meta = message.kind === 'event' ? message.attachments[0]?.meta : undefined;
    const type = meta?.type;
    const seconds = typeof meta?.durationSeconds === 'number' ? meta.durationSeconds : 0;
    if (type === 'call_started') return words.event.started;
    if (type === 'call_ended') return fill(words.event.ended, { duration: durationText(words, seconds) });
    if (type === 'call_failed') {
      const reason = Object.keys(words.failed).find((key): key is CallEndReason => key === meta?.reason) ?? 'connection_lost';
      return endText(words, { status: 'failed', reason, durationSeconds: seconds });
    }
    return null;
  };
}

/**
 * The agent's side of a video call with a web chat visitor: call, ring (45 s), both pictures with mute, camera
 * switch and hang up. This device drives the connection: it makes the offers and, when the connection drops,
 * restarts ICE for up to 30 s (`CallPeer`) before ending the call as `connection_lost`.
 */
export function VideoCall(props: { conversationId: string; socket: InboxSocket | null; language: Language; canCall: boolean }) {
  const { conversationId, socket } = props;
  const words = useWords(callWords);
  const [phase, setPhase] = useState<'idle' | 'ringing' | 'live'>('idle');
  const [link, setLink] = useState<CallLinkState>('connecting');
  const [muted, setMuted] = useState(false);
  const [cameras, setCameras] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const call = useRef<{ id: string; ice: CallIce; stream: MediaStream; peer: CallPeer | null; ring: ReturnType<typeof setTimeout>; facing: 'user' | 'environment' } | null>(null);
  const remote = useRef<HTMLVideoElement>(null);
  const local = useRef<HTMLVideoElement>(null);

  const cleanUp = () => {
    const current = call.current;
    call.current = null;
    if (!current) return;
    clearTimeout(current.ring);
    current.peer?.close();
    for (const track of current.stream.getTracks()) track.stop();
    setPhase('idle');
    setMuted(false);
  };

  const end = async (reason: 'hung_up' | 'no_answer' | 'connection_lost') => {
    const current = call.current;
    if (!current || !socket) return;
    cleanUp();
    const ack = await socket.timeout(10_000).emitWithAck('call.end', { callId: current.id, reason }).catch(() => null);
    setNotice(ack?.ok ? endText(words, ack.call) : words.failed[reason]);
  };

  const start = async () => {
    if (!socket || call.current) return;
    setNotice(null);
    const stream = await openCamera('user');
    if (!stream) return setNotice(words.noCamera);
    const ack = await socket.timeout(10_000).emitWithAck('call.invite', { conversationId }).catch(() => null);
    if (!ack?.ok) {
      for (const track of stream.getTracks()) track.stop();
      return setNotice(describeError(props.language, ack?.code ?? 'internal_error'));
    }
    call.current = { id: ack.callId, ice: ack, stream, peer: null, ring: setTimeout(() => void end('no_answer'), RING_MS), facing: 'user' };
    setCameras(await hasSeveralCameras());
    setLink('connecting');
    setPhase('ringing');
  };

  useInboxEvent('call.accepted', ({ callId }) => {
    const current = call.current;
    if (!current || current.id !== callId || current.peer || !socket) return;
    clearTimeout(current.ring);
    current.peer = new CallPeer({
      ice: current.ice,
      caller: true,
      send: (signal) => socket.emit('call.signal', { callId, signal }, () => {}),
      refreshIce: async () => {
        const fresh = await socket.timeout(5_000).emitWithAck('call.ice', { callId });
        return fresh.ok ? fresh : null;
      },
      onRemoteStream: (stream) => {
        if (remote.current) remote.current.srcObject = stream;
      },
      onState: (state) => {
        setLink(state);
        if (state === 'lost') void end('connection_lost');
      },
    });
    setPhase('live');
    void current.peer.start(current.stream);
  });
  useInboxEvent('call.signal', ({ callId, signal }) => {
    if (call.current?.id === callId) void call.current.peer?.receive(signal);
  });
  useInboxEvent('call.restart', ({ callId }) => {
    if (call.current?.id === callId) call.current.peer?.restartNow();
  });
  useInboxEvent('call.ended', (ended) => {
    if (call.current?.id !== ended.callId) return;
    cleanUp();
    setNotice(endText(words, ended));
  });

  // The local preview, once its element is on the page.
  useEffect(() => {
    if (phase !== 'idle' && local.current && call.current) local.current.srcObject = call.current.stream;
  }, [phase]);

  // Leaving the conversation (or the page's inbox) hangs up: nobody would be left to drive the connection.
  useEffect(
    () => () => {
      const current = call.current;
      if (!current) return;
      call.current = null;
      clearTimeout(current.ring);
      current.peer?.close();
      for (const track of current.stream.getTracks()) track.stop();
      socket?.emit('call.end', { callId: current.id, reason: 'hung_up' }, () => {});
    },
    [socket, conversationId],
  );

  const toggleMute = () => {
    const audio = call.current?.stream.getAudioTracks() ?? [];
    for (const track of audio) track.enabled = muted;
    setMuted(!muted);
  };

  const flipCamera = async () => {
    const current = call.current;
    if (!current) return;
    const facing = current.facing === 'user' ? 'environment' : 'user';
    const track = await switchCamera(facing);
    if (!track || call.current !== current) return;
    await current.peer?.replaceVideo(track);
    for (const old of current.stream.getVideoTracks()) {
      old.stop();
      current.stream.removeTrack(old);
    }
    current.stream.addTrack(track);
    current.facing = facing;
  };

  return (
    <section className="video-call" aria-label={words.call}>
      {phase === 'idle' ? (
        <button type="button" onClick={() => void start()} disabled={!props.canCall || !socket}>
          📹 {words.callStart}
        </button>
      ) : (
        <div className="call-stage" data-link={phase === 'live' ? link : 'ringing'}>
          <video ref={remote} className="call-remote" autoPlay playsInline aria-label={words.remote} />
          <video ref={local} className="call-local" autoPlay playsInline muted aria-label={words.local} />
          <p role="status" className="call-state">
            {phase === 'ringing' ? words.ringing : link === 'connected' ? words.connected : link === 'reconnecting' ? words.reconnecting : words.connecting}
          </p>
          <div className="call-controls">
            {phase === 'live' && (
              <button type="button" aria-pressed={muted} onClick={toggleMute}>
                {muted ? words.unmute : words.mute}
              </button>
            )}
            {phase === 'live' && cameras && (
              <button type="button" onClick={() => void flipCamera()}>
                {words.switchCamera}
              </button>
            )}
            <button type="button" className="call-end" onClick={() => void end('hung_up')}>
              {phase === 'ringing' ? words.cancel : words.hangUp}
            </button>
          </div>
        </div>
      )}
      {notice && <p className="call-notice">{notice}</p>}
    </section>
  );
}
