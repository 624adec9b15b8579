package playback.worker.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.persistence.Tuple;
import playback.model.BackoffPolicy;
import playback.model.FailureReason;
import playback.model.RunStatus;
import playback.queue.DownloadJob;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The worker's writes to PostgreSQL. Every state change of a run is a compare-and-set on its id and
 * fence: a worker that stalled past its lease and wakes up finds the fence moved on and writes nothing.
 */
@ApplicationScoped
public class RunStore {

    private final EntityManager db;

    public RunStore(EntityManager db) {
        this.db = db;
    }

    /** A run as the worker needs to decide about a job. */
    public record RunState(RunStatus status, long waitMillis, boolean leaseExpired) {

        public boolean finished() {
            return status.isFinished();
        }
    }

    /** What a claimed run downloads, and the fence that proves the claim. */
    public record Claim(long fence, String accountSid, String recordingSid) {
    }

    /** After a failure: the next attempt's run and when it may start. */
    public record Retry(long runId, Duration delay) {
    }

    /**
     * What recording a failure wrote: nothing (the fence moved on), a retry, or the end of the cycle
     * (the recording is failed).
     */
    public record FailOutcome(boolean written, Optional<Retry> retry) {

        static final FailOutcome STALE = new FailOutcome(false, Optional.empty());

        public boolean recordingFailed() {
            return written && retry.isEmpty();
        }
    }

    public Optional<RunState> find(long runId) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(db.createNativeQuery("""
                        select status,
                               greatest(0, extract(epoch from (not_before - now())) * 1000)::bigint,
                               coalesce(lease_until < now(), true)
                        from recording_runs where id = ?1""", Tuple.class)
                .setParameter(1, runId)).stream().findFirst()
                .map(row -> new RunState(RunStatus.fromWire(row.get(0, String.class)), ((Number) row.get(1)).longValue(),
                        row.get(2, Boolean.class))));
    }

    /**
     * Takes a run that is due, or whose previous holder's lease ran out; marks its recording downloading.
     * Empty when someone else has it or it is over.
     */
    public Optional<Claim> claim(long runId, String worker, Duration lease) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Tuple> claimed = tuples(db.createNativeQuery("""
                            update recording_runs set status = 'running', fence = fence + 1, worker = ?2,
                                lease_until = now() + make_interval(secs => ?3), started_at = now()
                            where id = ?1 and ((status = 'queued' and not_before <= now())
                                or (status = 'running' and lease_until < now()))
                            returning fence, business_id, call_sid""", Tuple.class)
                    .setParameter(1, runId).setParameter(2, worker).setParameter(3, lease.toMillis() / 1000.0)
                    );
            if (claimed.isEmpty()) {
                return Optional.<Claim>empty();
            }
            Tuple run = claimed.get(0);
            long businessId = ((Number) run.get(1)).longValue();
            String callSid = run.get(2, String.class);
            Tuple call = (Tuple) db.createNativeQuery("""
                            update call_logs c set recording_download_status = 'downloading',
                                recording_progress_bytes = 0, recording_progress_total = null, updated_at = now()
                            from businesses b
                            where c.business_id = ?1 and c.call_sid = ?2 and b.id = c.business_id
                            returning b.account_sid, c.recording_sid""", Tuple.class)
                    .setParameter(1, businessId).setParameter(2, callSid).getSingleResult();
            return Optional.of(new Claim(((Number) run.get(0)).longValue(), call.get(0, String.class),
                    call.get(1, String.class)));
        });
    }

    /** Extends the run's lease; false when the fence moved on (the run was taken over or swept). */
    public boolean renew(long runId, long fence, Duration lease) {
        return QuarkusTransaction.requiringNew().call(() -> db.createNativeQuery("""
                        update recording_runs set lease_until = now() + make_interval(secs => ?3)
                        where id = ?1 and fence = ?2 and status = 'running'""")
                .setParameter(1, runId).setParameter(2, fence).setParameter(3, lease.toMillis() / 1000.0)
                .executeUpdate() == 1);
    }

    public void progress(DownloadJob job, long fence, long bytes, Long total) {
        QuarkusTransaction.requiringNew().run(() -> db.createNativeQuery("""
                        update call_logs set recording_progress_bytes = ?3, recording_progress_total = ?4
                        where business_id = ?1 and call_sid = ?2 and exists (
                            select 1 from recording_runs where id = ?5 and fence = ?6 and status = 'running')""")
                .setParameter(1, job.businessId()).setParameter(2, job.callSid()).setParameter(3, bytes)
                .setParameter(4, total == null ? bytes : total).setParameter(5, job.runId()).setParameter(6, fence)
                .executeUpdate());
    }

    /** The file step of a success: runs inside the transaction, after the run is known to be ours. */
    public interface FileCommit {
        void run() throws Exception;
    }

    /**
     * Marks the run succeeded and the recording ready, and puts the file in place, all or nothing.
     * False when the fence moved on: the file is then not committed.
     */
    public boolean succeed(DownloadJob job, long fence, String storageKey, long size, String contentType,
                           FileCommit commitFile) {
        return QuarkusTransaction.requiringNew().call(() -> {
            int won = db.createNativeQuery("""
                            update recording_runs set status = 'succeeded', finished_at = now(), lease_until = null,
                                http_status = 200, error = null
                            where id = ?1 and fence = ?2 and status = 'running'""")
                    .setParameter(1, job.runId()).setParameter(2, fence).executeUpdate();
            if (won == 0) {
                return false;
            }
            commitFile.run();
            db.createNativeQuery("""
                            update call_logs set recording_download_status = 'ready', recording_storage_key = ?3,
                                recording_size_bytes = ?4, recording_content_type = ?5, recording_ready_at = clock_timestamp(),
                                recording_fail_count = 0, recording_error = null, recording_next_retry_at = null,
                                recording_progress_bytes = ?4, recording_progress_total = ?4, updated_at = now()
                            where business_id = ?1 and call_sid = ?2""")
                    .setParameter(1, job.businessId()).setParameter(2, job.callSid()).setParameter(3, storageKey)
                    .setParameter(4, size).setParameter(5, contentType).executeUpdate();
            return true;
        });
    }

    /**
     * Records a failed attempt. While the cycle has attempts left and the failure is not terminal, the
     * next attempt is inserted as a queued run due after the backoff (or the provider's Retry-After,
     * whichever is longer) and the recording stays queued; otherwise the recording is failed, with the
     * last backoff step as the window in which explicit requests are refused.
     */
    public FailOutcome fail(DownloadJob job, long fence, FailureReason reason, Integer httpStatus,
                                Duration retryAfter, BackoffPolicy policy) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<?> failed = db.createNativeQuery("""
                            update recording_runs set status = 'failed', finished_at = now(), lease_until = null,
                                error = ?3, http_status = ?4
                            where id = ?1 and fence = ?2 and status = 'running'
                            returning attempt""")
                    .setParameter(1, job.runId()).setParameter(2, fence).setParameter(3, reason.code())
                    .setParameter(4, httpStatus == null ? 0 : httpStatus).getResultList();
            if (failed.isEmpty()) {
                return FailOutcome.STALE;
            }
            int attempt = ((Number) failed.get(0)).intValue();
            Duration delay = policy.delayAfter(attempt);
            if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
                delay = retryAfter;
            }
            double delaySeconds = delay.toMillis() / 1000.0;
            if (reason.terminal() || policy.exhausted(attempt)) {
                db.createNativeQuery("""
                                update call_logs set recording_download_status = 'failed', recording_error = ?3,
                                    recording_fail_count = recording_fail_count + 1,
                                    recording_next_retry_at = case when ?4 then null
                                        else now() + make_interval(secs => ?5) end,
                                    updated_at = now()
                                where business_id = ?1 and call_sid = ?2""")
                        .setParameter(1, job.businessId()).setParameter(2, job.callSid())
                        .setParameter(3, reason.code()).setParameter(4, reason.terminal())
                        .setParameter(5, delaySeconds).executeUpdate();
                return new FailOutcome(true, Optional.<Retry>empty());
            }
            List<?> next = db.createNativeQuery("""
                            insert into recording_runs (business_id, call_sid, status, attempt, not_before)
                            values (?1, ?2, 'queued', ?3, now() + make_interval(secs => ?4))
                            on conflict (business_id, call_sid) where status in ('queued', 'running') do nothing
                            returning id""")
                    .setParameter(1, job.businessId()).setParameter(2, job.callSid()).setParameter(3, attempt + 1)
                    .setParameter(4, delaySeconds).getResultList();
            db.createNativeQuery("""
                            update call_logs set recording_download_status = 'queued', recording_error = ?3,
                                recording_fail_count = recording_fail_count + 1,
                                recording_next_retry_at = now() + make_interval(secs => ?4), updated_at = now()
                            where business_id = ?1 and call_sid = ?2""")
                    .setParameter(1, job.businessId()).setParameter(2, job.callSid())
                    .setParameter(3, reason.code()).setParameter(4, delaySeconds).executeUpdate();
            return new FailOutcome(true, next.isEmpty() ? Optional.<Retry>empty()
                    : Optional.of(new Retry(((Number) next.get(0)).longValue(), delay)));
        });
    }

    /** Hands a run back to the queue (this process is shutting down); false when it is no longer ours. */
    public boolean release(long runId, long fence) {
        return QuarkusTransaction.requiringNew().call(() -> db.createNativeQuery("""
                        update recording_runs set status = 'queued', lease_until = null, worker = null,
                            pushed_at = now(), not_before = now()
                        where id = ?1 and fence = ?2 and status = 'running'""")
                .setParameter(1, runId).setParameter(2, fence).executeUpdate() == 1);
    }

    /** Runs whose holder stopped renewing long ago (its stream entry is gone too): the sweep fails them. */
    public List<Stale> expiredRuns(Duration grace, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(db.createNativeQuery("""
                        select id, business_id, call_sid, fence from recording_runs
                        where status = 'running' and lease_until < now() - make_interval(secs => ?1)
                        order by lease_until limit ?2""", Tuple.class)
                .setParameter(1, grace.toMillis() / 1000.0).setParameter(2, limit)).stream()
                .map(row -> new Stale(new DownloadJob(((Number) row.get(0)).longValue(),
                        ((Number) row.get(1)).longValue(), row.get(2, String.class)), ((Number) row.get(3)).longValue()))
                .toList());
    }

    public record Stale(DownloadJob job, long fence) {
    }

    /**
     * Queued runs that are due but have not been pushed to Redis for a while (Redis lost them, or the
     * api could not push): marked pushed now, returned to be pushed again. A duplicate is harmless:
     * only one delivery can claim the run.
     */
    public List<DownloadJob> takeOrphans(Duration after, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(db.createNativeQuery("""
                        update recording_runs set pushed_at = now()
                        where id in (select id from recording_runs
                            where status = 'queued' and greatest(pushed_at, not_before) < now() - make_interval(secs => ?1)
                            order by id limit ?2 for update skip locked)
                        returning id, business_id, call_sid""", Tuple.class)
                .setParameter(1, after.toMillis() / 1000.0).setParameter(2, limit)).stream()
                .map(row -> new DownloadJob(((Number) row.get(0)).longValue(), ((Number) row.get(1)).longValue(),
                        row.get(2, String.class)))
                .toList());
    }

    @SuppressWarnings("unchecked")
    private static List<Tuple> tuples(Query query) {
        return query.getResultList();
    }
}
