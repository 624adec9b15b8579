import type { QueueDepth } from '../api';
import { useI18n } from '../language';
import { formatAge } from './opsFormat';

/** How deep the download queue is, and how long its oldest job has waited. */
export function QueuePanel({ queue }: { queue: QueueDepth }) {
  const { t } = useI18n();
  const figures = [
    { key: 'waiting', label: t('queueWaiting'), value: String(queue.waiting) },
    { key: 'delayed', label: t('queueDelayed'), value: String(queue.delayed) },
    { key: 'pending', label: t('queuePending'), value: String(queue.pending) },
    { key: 'oldest', label: t('queueOldest'), value: formatAge(queue.oldest_waiting_seconds, t) },
  ];
  return (
    <section className="card" aria-labelledby="queue-title" data-testid="ops-queue">
      <h3 id="queue-title">{t('queueTitle')}</h3>
      <dl className="figures">
        {figures.map((figure) => (
          <div key={figure.key} className="figure">
            <dt>{figure.label}</dt>
            <dd data-testid={`ops-queue-${figure.key}`}>{figure.value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
