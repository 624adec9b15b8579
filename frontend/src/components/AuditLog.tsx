import type { AuditAction, AuditEntry, BusinessControl } from '../api';
import { formatTime } from '../format';
import type { MessageKey } from '../i18n';
import { useI18n } from '../language';
import { businessName } from './opsFormat';
import { Sid } from './Sid';

const ACTIONS: Record<AuditAction, MessageKey> = {
  pause: 'auditPause',
  resume: 'auditResume',
  set_limit: 'auditSetLimit',
  retry_now: 'auditRetryNow',
  set_prefetch: 'auditSetPrefetch',
};

/** What operators did, newest first. */
export function AuditLog({ entries, businesses }: { entries: AuditEntry[]; businesses: BusinessControl[] }) {
  const { t, lang } = useI18n();
  return (
    <section className="card" aria-labelledby="audit-title">
      <h3 id="audit-title">{t('auditTitle')}</h3>
      {entries.length === 0 ? (
        <p className="hint" data-testid="ops-audit-empty">{t('noAudit')}</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" data-testid="ops-audit">
            <thead>
              <tr>
                <th scope="col">{t('columnAt')}</th>
                <th scope="col">{t('columnActor')}</th>
                <th scope="col">{t('columnAction')}</th>
                <th scope="col">{t('columnBusiness')}</th>
                <th scope="col">{t('columnCall')}</th>
                <th scope="col">{t('columnDetail')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry, index) => (
                <tr
                  key={`${entry.at}-${index}`}
                  data-testid="ops-audit-entry"
                  data-action={entry.action}
                  data-business-id={entry.business_id ?? ''}
                  data-call-sid={entry.call_sid ?? ''}
                >
                  <td>{formatTime(entry.at, lang)}</td>
                  <td>
                    <bdi>{entry.actor}</bdi>
                  </td>
                  <td>{ACTIONS[entry.action] ? t(ACTIONS[entry.action]) : entry.action}</td>
                  <td>{businessName(businesses, entry.business_id)}</td>
                  <td>{entry.call_sid ? <Sid value={entry.call_sid} /> : null}</td>
                  <td>
                    <bdi>{entry.detail ?? ''}</bdi>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
