import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { DownloadProgress } from '../api';
import { formatDateTime, formatDuration } from '../format';
import { failureMessageKey } from '../i18n';
import { useI18n } from '../language';
import type { PlaybackController } from '../player/controller';
import { isLive, type PlayerState } from '../player/state';
import { PhoneNumber } from './PhoneNumber';

export const SPEEDS = [1, 1.25, 1.5, 2] as const;
const SEEK_STEP_SECONDS = 5;

interface Props {
  controller: PlaybackController;
  state: PlayerState;
}

/**
 * The one player of the page. Requests belong to the controller; this component renders the state and
 * drives the <audio> element, whose src is the signed stream URL (the browser streams it with Range
 * requests: the audio is never fetched by script).
 */
export function AudioPlayer({ controller, state }: Props) {
  const { t, lang } = useI18n();
  const audioRef = useRef<HTMLAudioElement>(null);
  const [position, setPosition] = useState(0);
  const [mediaDuration, setMediaDuration] = useState<number | null>(null);
  const [speed, setSpeed] = useState<number>(1);

  const media = state.kind === 'ready' || state.kind === 'playing' || state.kind === 'paused' ? state.media : null;
  const live = isLive(state);
  const streamUrl = media?.streamUrl;
  const readyUrl = state.kind === 'ready' ? state.media.streamUrl : null;
  const call = state.call;
  const total = mediaDuration ?? call?.recording?.duration_seconds ?? null;
  const showsPause =
    state.kind === 'playing' ||
    ((state.kind === 'checking' || state.kind === 'waiting' || state.kind === 'ready') && state.autoplay);

  useEffect(() => {
    controller.attachMedia(audioRef.current);
    return () => controller.attachMedia(null);
  }, [controller]);

  // A new source (or none: another call was selected): start from zero, and stop what was playing,
  // since removing the src attribute alone does not stop the element.
  useEffect(() => {
    setPosition(0);
    setMediaDuration(null);
    const audio = audioRef.current;
    if (audio && !streamUrl && audio.currentSrc) {
      audio.pause();
      audio.load();
    }
  }, [streamUrl]);

  // The ready state's src is in the DOM now: start playing if the user asked for it.
  useEffect(() => {
    if (readyUrl) controller.mediaReady();
  }, [readyUrl, controller]);

  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(() => {
    function seekBy(seconds: number) {
      const audio = audioRef.current;
      if (!audio || !audio.currentSrc) return;
      const end = Number.isFinite(audio.duration) ? audio.duration : Infinity;
      audio.currentTime = Math.min(Math.max(audio.currentTime + seconds, 0), end);
      setPosition(audio.currentTime);
    }
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key !== ' ' && event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
      const target = event.target instanceof HTMLElement ? event.target : null;
      if (target && takesTyping(target)) return;
      const isSeekBar = target?.dataset.testid === 'player-seek';
      // A focused button or link answers Space itself (a click): do not toggle twice.
      if (event.key === ' ' && target && !isSeekBar && target.closest('button, a, summary')) return;
      if (!stateRef.current.call) return;
      event.preventDefault();
      if (event.key === ' ') controller.togglePlay();
      // The timeline runs left to right in both languages, so Left is always back.
      else seekBy(event.key === 'ArrowLeft' ? -SEEK_STEP_SECONDS : SEEK_STEP_SECONDS);
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [controller]);

  function changeSpeed(value: number) {
    setSpeed(value);
    const audio = audioRef.current;
    if (audio) {
      audio.defaultPlaybackRate = value;
      audio.playbackRate = value;
    }
  }

  function seekTo(seconds: number) {
    const audio = audioRef.current;
    if (!audio) return;
    audio.currentTime = seconds;
    setPosition(seconds);
  }

  return (
    <section
      className={`player player-${state.kind}`}
      aria-label={t('player')}
      data-testid="player"
      data-state={state.kind}
      data-live={live}
    >
      <audio
        ref={audioRef}
        src={streamUrl}
        preload="metadata"
        data-testid="player-audio"
        onPlay={() => controller.mediaPlaying()}
        onPause={() => controller.mediaPaused()}
        onError={(e) => {
          if (e.currentTarget.getAttribute('src')) controller.mediaError();
        }}
        onTimeUpdate={(e) => setPosition(e.currentTarget.currentTime)}
        onLoadedMetadata={(e) => {
          const audio = e.currentTarget;
          audio.playbackRate = speed;
          setMediaDuration(Number.isFinite(audio.duration) ? audio.duration : null);
          // The stored file taking over from a live stream that broke: go on where the audio stopped.
          if (media?.startAt) {
            audio.currentTime = media.startAt;
            setPosition(media.startAt);
          }
        }}
        onDurationChange={(e) => {
          const duration = e.currentTarget.duration;
          setMediaDuration(Number.isFinite(duration) ? duration : null);
        }}
      />

      <div className="player-main">
        <button
          type="button"
          className="button-play"
          data-testid="player-play"
          aria-label={showsPause ? t('pause') : t('play')}
          title={showsPause ? t('pause') : t('play')}
          disabled={!call || state.kind === 'failed'}
          onClick={() => controller.togglePlay()}
        >
          <span aria-hidden="true">{showsPause ? '❚❚' : '▶'}</span>
        </button>

        <div className="player-body">
          <div className="player-call" data-testid="player-call">
            {call ? (
              <>
                <PhoneNumber value={call.from} /> <span aria-hidden="true">{t('callArrow')}</span>{' '}
                <PhoneNumber value={call.to} />
                <span className="player-call-time">
                  {' · '}
                  <bdi>{formatDateTime(call.started_at, lang)}</bdi>
                </span>
              </>
            ) : (
              t('playerEmpty')
            )}
          </div>

          <div className="timeline" dir="ltr">
            <span className="time" data-testid="player-time">
              <span className="visually-hidden">{t('time')}: </span>
              {formatDuration(position)} / {formatDuration(total)}
            </span>
            <input
              type="range"
              className="seek"
              data-testid="player-seek"
              aria-label={t('seek')}
              aria-valuetext={`${formatDuration(position)} / ${formatDuration(total)}`}
              min={0}
              max={total ?? 0}
              step={0.1}
              value={Math.min(position, total ?? 0)}
              disabled={!media}
              onChange={(e) => seekTo(Number(e.target.value))}
            />
          </div>

          <PlayerStatus state={state} onRetry={() => controller.retry()} />
        </div>

        <div className="player-side">
          <label className="speed">
            <span>{t('speed')}</span>
            <select
              dir="ltr"
              data-testid="player-speed"
              value={speed}
              onChange={(e) => changeSpeed(Number(e.target.value))}
            >
              {SPEEDS.map((value) => (
                <option key={value} value={value}>
                  {value}×
                </option>
              ))}
            </select>
          </label>
          {media && call && !live && (
            <a
              className="button-quiet"
              data-testid="player-download"
              href={media.streamUrl}
              download={`${call.call_sid}.${media.contentType === 'audio/wav' ? 'wav' : 'mp3'}`}
            >
              {t('download')}
            </a>
          )}
        </div>
      </div>
      <p className="keyboard-hint hint">{t('keyboardHint')}</p>
    </section>
  );
}

/** The line under the timeline: what the player is doing, the download progress, or why it failed. */
function PlayerStatus({ state, onRetry }: { state: PlayerState; onRetry: () => void }) {
  const { t } = useI18n();
  const now = useClock(state.kind === 'waiting' ? state.since : null);
  const elapsed = state.kind === 'waiting' ? Math.max(0, Math.floor((now - state.since) / 1000)) : 0;
  let content: ReactNode;
  switch (state.kind) {
    case 'idle':
      content = state.call ? t('playerIdle') : null;
      break;
    case 'checking':
      content = t('playerChecking');
      break;
    case 'waiting': {
      // Paused or retrying after a failure, nothing is being downloaded: say why instead of a progress bar.
      const held = state.paused || state.error !== null;
      content = (
        <>
          <span>{t('playerWaiting', { seconds: elapsed })}</span>
          {held ? <WaitingReason state={state} now={now} /> : <DownloadProgressBar progress={state.progress} />}
        </>
      );
      break;
    }
    case 'ready':
    case 'playing':
    case 'paused': {
      const words = t(state.kind === 'ready' ? 'playerReady' : state.kind === 'playing' ? 'playerPlaying' : 'playerPaused');
      content = state.live ? (
        <>
          <span>
            {words} · {t('playerLive')}
          </span>
          <DownloadProgressBar progress={state.live.progress} />
        </>
      ) : (
        words
      );
      break;
    }
    case 'failed':
      content = (
        <>
          <span role="alert" className="error" data-testid="player-error" data-reason={state.reason}>
            {t(failureMessageKey(state.reason), { code: state.reason })}
            {state.retryable && state.retryAfter ? ` ${t('retryAfter', { seconds: state.retryAfter })}` : ''}
          </span>
          {state.retryable && (
            <button type="button" className="button-quiet" data-testid="player-retry" onClick={onRetry}>
              {t('retry')}
            </button>
          )}
        </>
      );
      break;
  }
  return (
    <div className="player-status" data-testid="player-state" data-state={state.kind} aria-live="polite">
      {content}
    </div>
  );
}

/** How much of the recording the worker has received: a bar, or an indeterminate one without a total. */
function DownloadProgressBar({ progress }: { progress: DownloadProgress }) {
  const { t } = useI18n();
  const { bytes, total } = progress;
  const percent = total ? Math.min(100, Math.round((bytes / total) * 100)) : null;
  return (
    <progress
      className="download-progress"
      data-testid="player-progress"
      aria-label={percent === null ? t('progressUnknown') : t('progressKnown', { percent })}
      {...(total ? { max: total, value: Math.min(bytes, total) } : {})}
    />
  );
}

/** Why a download is not running: paused by an operator, or the failure the worker will retry and when. */
function WaitingReason({ state, now }: { state: Extract<PlayerState, { kind: 'waiting' }>; now: number }) {
  const { t } = useI18n();
  if (state.paused) {
    return (
      <span className="waiting-reason" data-testid="player-waiting-reason" data-reason="paused">
        {t('downloadsPaused')}
      </span>
    );
  }
  const reason = state.error ?? 'unknown';
  const next = state.nextAttemptAt;
  const seconds = next === null ? null : Math.ceil((next - now) / 1000);
  return (
    <span className="waiting-reason" data-testid="player-waiting-reason" data-reason={reason}>
      {t(failureMessageKey(reason), { code: reason })}
      {seconds !== null && (
        <span data-testid="player-next-attempt" data-at={new Date(next!).toISOString()}>
          {' · '}
          {seconds > 0 ? t('nextAttemptIn', { seconds }) : t('nextAttemptDue')}
        </span>
      )}
    </span>
  );
}

/** The time now, ticking every second while `since` is set (the waiting line's counters). */
function useClock(since: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [since]);
  return now;
}

/** Elements where Space and the arrows belong to the user's typing or choosing. */
function takesTyping(element: HTMLElement): boolean {
  if (element.isContentEditable) return true;
  if (element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) return true;
  return element instanceof HTMLInputElement && element.type !== 'range';
}
