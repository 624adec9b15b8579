import type { ThroughputMinute } from '../api';
import { formatTime } from '../format';
import { useI18n } from '../language';

/** Downloads per minute over the last 15 minutes, oldest first: succeeded and failed, stacked. */
export function ThroughputChart({ minutes }: { minutes: ThroughputMinute[] }) {
  const { t, lang } = useI18n();
  const highest = Math.max(1, ...minutes.map((m) => m.succeeded + m.failed));
  const succeeded = minutes.reduce((sum, m) => sum + m.succeeded, 0);
  const failed = minutes.reduce((sum, m) => sum + m.failed, 0);
  return (
    <section className="card" aria-labelledby="throughput-title" data-testid="ops-throughput">
      <h3 id="throughput-title">{t('throughputTitle')}</h3>
      <p className="hint" data-testid="ops-throughput-totals" data-succeeded={succeeded} data-failed={failed}>
        {t('throughputTotals', { succeeded, failed })}
      </p>
      {/* Time runs left to right in both languages, as on the player's timeline. */}
      <div className="bars" dir="ltr" role="list">
        {minutes.map((minute) => {
          const label = t('throughputMinute', {
            time: formatTime(minute.minute, lang),
            succeeded: minute.succeeded,
            failed: minute.failed,
          });
          return (
            <div
              key={minute.minute}
              className="bar"
              role="listitem"
              aria-label={label}
              title={label}
              data-testid="ops-throughput-minute"
              data-succeeded={minute.succeeded}
              data-failed={minute.failed}
            >
              <span className="bar-failed" style={{ height: `${(minute.failed / highest) * 100}%` }} />
              <span className="bar-succeeded" style={{ height: `${(minute.succeeded / highest) * 100}%` }} />
            </div>
          );
        })}
      </div>
      <div className="legend">
        <span className="legend-succeeded">{t('succeeded')}</span>
        <span className="legend-failed">{t('failed')}</span>
      </div>
    </section>
  );
}
