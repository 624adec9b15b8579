import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbortError, type Api, type Call } from '../api';
import { formatDateTime, formatDuration, isolateLtr } from '../format';
import { useI18n } from '../language';
import { observedStatus } from '../player/state';
import { usePlaybackController } from '../player/usePlaybackController';
import { useStatusWatcher } from '../player/useStatusWatcher';
import { AudioPlayer } from './AudioPlayer';
import { PhoneNumber } from './PhoneNumber';
import { RecordingStatus } from './RecordingStatus';

const PAGE_SIZE = 20;

/**
 * Recent calls, newest first, paged by cursor, with the one audio player of the page. `hidden`: another
 * page is shown above; the list is kept (and the player stays) rather than unmounted.
 */
export function CallsPage({ api, hidden = false }: { api: Api; hidden?: boolean }) {
  const { t, lang } = useI18n();
  const { controller, state } = usePlaybackController(api);
  const [calls, setCalls] = useState<Call[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const listRequest = useRef<AbortController | null>(null);
  // What the player learnt about a recording outlives its stay in the player, and a call it leaves
  // while the download is under way is followed until it settles: the row's badge tells the truth
  // without re-fetching the list.
  const { watcher, known } = useStatusWatcher(api, controller);

  /** cursor null: the first page (replacing the list); otherwise the page after it (appended). */
  const load = useCallback(
    (cursor: string | null) => {
      listRequest.current?.abort();
      const abort = new AbortController();
      listRequest.current = abort;
      setLoading(true);
      setError(null);
      api
        .listCalls({ limit: PAGE_SIZE, cursor }, abort.signal)
        .then((page) => {
          setCalls((previous) => (cursor ? appendNew(previous, page.items) : page.items));
          if (!cursor) watcher.forgetStatuses();
          setNextCursor(page.next_cursor);
        })
        .catch((e: unknown) => {
          if (!isAbortError(e)) setError(e instanceof Error ? e.message : String(e));
        })
        .finally(() => {
          if (listRequest.current === abort) {
            listRequest.current = null;
            setLoading(false);
          }
        });
    },
    [api, watcher],
  );

  useEffect(() => {
    load(null);
    return () => listRequest.current?.abort();
  }, [load]);

  const loadedSid = state.call?.call_sid ?? null;
  const liveStatus = observedStatus(state);

  return (
    <div className="calls-page">
      <section className="card" aria-labelledby="recent-calls-title" hidden={hidden}>
        <div className="section-header">
          <h2 id="recent-calls-title">{t('recentCalls')}</h2>
          <button
            type="button"
            className="button-quiet"
            data-testid="calls-refresh"
            disabled={loading}
            onClick={() => load(null)}
          >
            {t('refresh')}
          </button>
        </div>
        {error && (
          <p role="alert" className="error" data-testid="calls-error">
            {t('callsFailed', { message: error })}
          </p>
        )}
        <div className="table-scroll">
          <table className="calls-table" data-testid="calls-table">
            <thead>
              <tr>
                <th scope="col">{t('columnTime')}</th>
                <th scope="col">{t('columnDirection')}</th>
                <th scope="col">{t('columnFrom')}</th>
                <th scope="col">{t('columnTo')}</th>
                <th scope="col" className="numeric">{t('columnDuration')}</th>
                <th scope="col">{t('columnRecording')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('columnActions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {calls.map((call) => {
                const loaded = call.call_sid === loadedSid;
                const status = call.recording
                  ? ((loaded && liveStatus) || known[call.call_sid] || call.recording.status)
                  : null;
                return (
                  <tr
                    key={call.call_sid}
                    data-testid="call-row"
                    data-call-sid={call.call_sid}
                    className={loaded ? 'loaded' : undefined}
                    aria-current={loaded ? 'true' : undefined}
                  >
                    <td>{formatDateTime(call.started_at, lang)}</td>
                    <td>{call.direction?.startsWith('outbound') ? t('directionOutbound') : t('directionInbound')}</td>
                    <td>
                      <PhoneNumber value={call.from} />
                    </td>
                    <td>
                      <PhoneNumber value={call.to} />
                    </td>
                    <td className="numeric">
                      <bdi dir="ltr">{formatDuration(call.duration_seconds)}</bdi>
                    </td>
                    <td>
                      <RecordingStatus status={status} />
                    </td>
                    <td>
                      {call.recording && (
                        <button
                          type="button"
                          className="button-play-row"
                          data-testid="call-play"
                          aria-label={t('playCall', { from: isolateLtr(call.from ?? '') })}
                          onClick={() => controller.playCall(call)}
                        >
                          <span aria-hidden="true">▶</span> {t('play')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {!loading && !error && calls.length === 0 && <p className="hint">{t('noCalls')}</p>}
        <div className="pager">
          {loading && <span className="hint">{t('loading')}</span>}
          {!loading && nextCursor && (
            <button
              type="button"
              className="button-quiet"
              data-testid="calls-load-more"
              onClick={() => load(nextCursor)}
            >
              {t('loadMore')}
            </button>
          )}
        </div>
      </section>
      <AudioPlayer controller={controller} state={state} />
    </div>
  );
}

/** Keyset pages do not overlap, but a refresh racing new calls could: keep each call once. */
function appendNew(previous: Call[], page: Call[]): Call[] {
  const seen = new Set(previous.map((call) => call.call_sid));
  return [...previous, ...page.filter((call) => !seen.has(call.call_sid))];
}
