import type { Api } from '../api';
import { formatTime } from '../format';
import { useI18n } from '../language';
import { useOverview } from '../ops/useOverview';
import { AuditLog } from './AuditLog';
import { BusinessesTable } from './BusinessesTable';
import { FailuresTable } from './FailuresTable';
import { QueuePanel } from './QueuePanel';
import { StuckRunsTable } from './StuckRunsTable';
import { ThroughputChart } from './ThroughputChart';

/**
 * What an operator watches and steers: the queue, every business's downloads against its limit (pause,
 * resume, limit), the last 15 minutes, recent failures (retry now), stuck runs and the audit log.
 */
export function OperationsPage({ api }: { api: Api }) {
  const { t, lang } = useI18n();
  const { poller, state } = useOverview(api);
  const changed = () => poller.refresh();

  return (
    <div className="ops-page" data-testid="operations-page" data-state={state.kind}>
      <div className="section-header">
        <h2>{t('opsTitle')}</h2>
        {state.kind === 'loaded' && (
          <span className="hint" data-testid="ops-updated" data-generated-at={state.overview.generated_at}>
            {t('opsUpdatedAt', { time: formatTime(state.overview.generated_at, lang) })}
          </span>
        )}
      </div>
      {state.kind === 'loading' && <p className="hint">{t('loading')}</p>}
      {state.kind === 'forbidden' && (
        <p role="alert" className="card error" data-testid="ops-forbidden">
          {t('opsForbidden')}
        </p>
      )}
      {state.kind === 'error' && (
        <p role="alert" className="error" data-testid="ops-error">
          {t('opsLoadFailed', { message: state.message })}
        </p>
      )}
      {state.kind === 'loaded' && (
        <>
          {state.refreshError && (
            <p role="alert" className="error" data-testid="ops-error">
              {t('opsRefreshFailed', {
                message: state.refreshError,
                time: formatTime(state.overview.generated_at, lang),
              })}
            </p>
          )}
          <div className="ops-grid">
            <QueuePanel queue={state.overview.queue} />
            <ThroughputChart minutes={state.overview.throughput} />
          </div>
          <BusinessesTable
            api={api}
            businesses={state.overview.businesses}
            defaultLimit={state.overview.default_limit}
            onChanged={(entry) => {
              poller.applyBusiness(entry);
              changed();
            }}
          />
          <FailuresTable
            api={api}
            failures={state.overview.recent_failures}
            businesses={state.overview.businesses}
            onChanged={changed}
          />
          <StuckRunsTable runs={state.overview.stuck_runs} businesses={state.overview.businesses} />
          <AuditLog entries={state.overview.audit} businesses={state.overview.businesses} />
        </>
      )}
    </div>
  );
}
