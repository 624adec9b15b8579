package playback.lifecycle;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import playback.lifecycle.RecordingRules.RecordingChange;
import playback.lifecycle.RecordingRules.RunChange;
import playback.model.DownloadStatus;
import playback.model.FailureReason;
import playback.model.Lane;
import playback.model.RunStatus;
import playback.queue.RecordingEvents;

import java.util.List;
import java.util.Optional;

import static playback.lifecycle.LifecycleSql.ACTIVE_RUNS;
import static playback.lifecycle.LifecycleSql.in;

/**
 * Runs entering the queue: a Play's or a prefetch's enqueue, the promotion of a waiting prefetch to the
 * interactive lane, and an operator's retry. An enqueue re-checks the recording under its row lock, and
 * the partial unique index on active runs refuses a second one, so a request acting on a stale read
 * starts nothing.
 */
@ApplicationScoped
public class PlayQueue {

    private final EntityManager db;
    private final RecordingEvents events;

    public PlayQueue(EntityManager db, RecordingEvents events) {
        this.db = db;
        this.events = events;
    }

    /** The id the next run will have: the dedup key in Redis names it before the run row exists. */
    public long reserveRunId() {
        return QuarkusTransaction.requiringNew().call(() ->
                ((Number) db.createNativeQuery("select nextval('recording_runs_id_seq')").getSingleResult()).longValue());
    }

    public enum Enqueued {
        ENQUEUED,
        /** An active run exists, the recording is ready, or it is failed and may not be retried yet. */
        REFUSED
    }

    /**
     * Queues run {@code runId} for the recording in the interactive lane, re-checking its state under a
     * row lock; the partial unique index refuses a second active run, so a request acting on a stale
     * read starts nothing.
     */
    public Enqueued enqueue(long runId, long businessId, String callSid) {
        return enqueue(runId, businessId, callSid, Lane.INTERACTIVE);
    }

    /** Queues run {@code runId} in a lane: a background one for a prefetch, under the same guards. */
    public Enqueued enqueue(long runId, long businessId, String callSid, Lane lane) {
        int updated = QuarkusTransaction.requiringNew().call(() -> db.createNativeQuery("""
                        with eligible as (
                            select 1 from call_logs
                            where business_id = ?2 and call_sid = ?3 and recording_download_status in (%s)
                              and not (recording_download_status = ?6 and (recording_error = ?7
                                  or recording_next_retry_at > now()))
                            for update),
                        run as (
                            insert into recording_runs (id, business_id, call_sid, status, attempt, lane)
                            select ?1, ?2, ?3, ?4, 1, ?8 from eligible
                            on conflict (business_id, call_sid) where status in (%s) do nothing
                            returning id)
                        update call_logs set recording_download_status = ?5, recording_last_enqueue_at = now(),
                            recording_next_retry_at = null, recording_error = null, recording_progress_bytes = 0,
                            recording_progress_total = null, updated_at = now()
                        where business_id = ?2 and call_sid = ?3 and exists (select 1 from run)"""
                        .formatted(in(RecordingRules.from(RecordingChange.ENQUEUE)), in(ACTIVE_RUNS)))
                .setParameter(1, runId).setParameter(2, businessId).setParameter(3, callSid)
                .setParameter(4, RunStatus.QUEUED.wire())
                .setParameter(5, RecordingRules.target(RecordingChange.ENQUEUE).wire())
                .setParameter(6, DownloadStatus.FAILED.wire()).setParameter(7, FailureReason.PROVIDER_NOT_FOUND.code())
                .setParameter(8, lane.wire())
                .executeUpdate());
        return updated == 1 ? Enqueued.ENQUEUED : Enqueued.REFUSED;
    }

    /**
     * A Play of a recording whose prefetch is still waiting: its queued background run becomes
     * interactive (the same run: one download). Returns the run to push on the interactive stream.
     */
    public Optional<Long> promote(long businessId, String callSid) {
        return QuarkusTransaction.requiringNew().call(() -> db.createNativeQuery("""
                        update recording_runs set lane = ?4
                        where business_id = ?1 and call_sid = ?2 and status = ?3 and lane = ?5
                        returning id""")
                .setParameter(1, businessId).setParameter(2, callSid).setParameter(3, RunStatus.QUEUED.wire())
                .setParameter(4, Lane.INTERACTIVE.wire()).setParameter(5, Lane.BACKGROUND.wire())
                .getResultList().stream().findFirst().map(id -> ((Number) id).longValue()));
    }

    /** Prefetches the business started today (first attempts of background runs, since midnight UTC). */
    public long backgroundRunsToday(long businessId) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) db.createNativeQuery("""
                        select count(*) from recording_runs
                        where business_id = ?1 and lane = ?2 and attempt = 1
                          and created_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'""")
                .setParameter(1, businessId).setParameter(2, Lane.BACKGROUND.wire()).getSingleResult()).longValue());
    }

    /** The status of a run, when it exists. */
    public Optional<RunStatus> runStatus(long runId) {
        return QuarkusTransaction.requiringNew().call(() -> LifecycleSql.runStatus(db, runId));
    }

    // ---- an operator retries now ---------------------------------------------------------------------

    public sealed interface RetryNow {
    }

    /** The failed recording starts a new cycle: run {@code runId} (attempt 1), due now, for the caller to push. */
    public record NewCycle(long runId) implements RetryNow {
    }

    /** The pending retry, run {@code runId}, is due now: its delayed job is to be made due as well. */
    public record RetryDue(long runId) implements RetryNow {
    }

    /** Missing, ready, downloading, or queued and already due: nothing to retry. */
    public record NotRetryable() implements RetryNow {
    }

    /**
     * Applies {@link RecordingChange#RETRY_NOW} under the call's row lock: a failed recording (any error,
     * its backoff window or not) gets run {@code runId} queued at once; a queued one whose next attempt
     * is not due yet has that attempt made due now. {@code runId} is used only in the first case.
     */
    public RetryNow retryNow(long runId, long businessId, String callSid) {
        RetryNow outcome = QuarkusTransaction.requiringNew().call(() -> {
            List<?> locked = db.createNativeQuery("""
                            select recording_download_status from call_logs
                            where business_id = ?1 and call_sid = ?2 and recording_download_status in (%s)
                            for update""".formatted(in(RecordingRules.from(RecordingChange.RETRY_NOW))))
                    .setParameter(1, businessId).setParameter(2, callSid).getResultList();
            if (locked.isEmpty()) {
                return new NotRetryable();
            }
            boolean failed = DownloadStatus.fromWire((String) locked.get(0)) == DownloadStatus.FAILED;
            List<?> run = failed
                    ? db.createNativeQuery("""
                                    insert into recording_runs (id, business_id, call_sid, status, attempt)
                                    values (?1, ?2, ?3, ?4, 1)
                                    on conflict (business_id, call_sid) where status in (%s) do nothing
                                    returning id""".formatted(in(ACTIVE_RUNS)))
                            .setParameter(1, runId).setParameter(2, businessId).setParameter(3, callSid)
                            .setParameter(4, RunStatus.QUEUED.wire()).getResultList()
                    : db.createNativeQuery("""
                                    update recording_runs set not_before = now(), pushed_at = now()
                                    where business_id = ?1 and call_sid = ?2 and status in (%s) and not_before > now()
                                    returning id""".formatted(in(RecordingRules.from(RunChange.CLAIM))))
                            .setParameter(1, businessId).setParameter(2, callSid).getResultList();
            if (run.isEmpty()) {
                return new NotRetryable();
            }
            db.createNativeQuery("""
                            update call_logs set recording_download_status = ?3, recording_next_retry_at = null,
                                recording_last_enqueue_at = case when ?4 then now() else recording_last_enqueue_at end,
                                recording_error = case when ?4 then null else recording_error end,
                                updated_at = now()
                            where business_id = ?1 and call_sid = ?2""")
                    .setParameter(1, businessId).setParameter(2, callSid)
                    .setParameter(3, RecordingRules.target(RecordingChange.RETRY_NOW).wire()).setParameter(4, failed)
                    .executeUpdate();
            long id = ((Number) run.get(0)).longValue();
            return failed ? new NewCycle(id) : new RetryDue(id);
        });
        if (!(outcome instanceof NotRetryable)) {
            events.publish(new RecordingEvents.Event(businessId, callSid, RecordingEvents.CHANGED));
        }
        return outcome;
    }
}
