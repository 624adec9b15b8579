package playback.lifecycle;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.persistence.Tuple;
import playback.lifecycle.RecordingRules.AfterFailure;
import playback.lifecycle.RecordingRules.GiveUp;
import playback.lifecycle.RecordingRules.RecordingChange;
import playback.lifecycle.RecordingRules.Retry;
import playback.lifecycle.RecordingRules.RunChange;
import playback.model.BackoffPolicy;
import playback.model.DownloadStatus;
import playback.model.FailureReason;
import playback.model.Lane;
import playback.model.RunStatus;
import playback.model.WireConverter;
import playback.queue.DownloadJob;
import playback.queue.RecordingEvents;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static playback.model.SqlParameters.decimal;
import static playback.model.SqlParameters.integer;
import static playback.model.SqlParameters.text;

/**
 * The one writer of a recording's state: the recording columns of {@code call_logs} and the
 * {@code recording_runs} table are written here and nowhere else (a test scans the sources for other
 * writers). One method per transition of {@link RecordingRules}; each runs in its own transaction and
 * returns what it did as a type.
 *
 * <p>The SQL keeps the guards that make the rules hold across replicas: the row lock and the partial
 * unique index (one active run per recording) on enqueue, and on every run change a compare-and-set on
 * the run's id, its fence and the statuses the change may start from. A worker that stalled past its
 * lease finds the fence moved on and writes nothing. Settled recordings are announced on
 * {@link RecordingEvents} after the commit.
 */
@ApplicationScoped
public class RecordingLifecycle {

    private final EntityManager db;
    private final RecordingEvents events;

    public RecordingLifecycle(EntityManager db, RecordingEvents events) {
        this.db = db;
        this.events = events;
    }

    // ---- the provider reports a recording ----------------------------------------------------------

    /** A recording as the provider's recording-status webhook reports it. */
    public record ReportedRecording(String callSid, String recordingSid, String url, String status,
                                    Integer durationSeconds, Integer channels) {
    }

    /** What a report did: a first recording for the call, a replay of the one it has, or a new one. */
    public enum Reported {
        FIRST,
        SAME,
        /** A new recording SID: the download starts over and active runs of the old one are superseded. */
        REPLACED
    }

    /**
     * Records a recording-status report; replays and reordering are harmless (one row per call). A new
     * recording SID resets the download state and supersedes the old recording's active run, whose
     * worker then commits nothing.
     */
    public Reported recordingReported(long businessId, ReportedRecording report) {
        Reported reported = QuarkusTransaction.requiringNew().call(() -> {
            List<?> previous = db.createNativeQuery("""
                            select recording_sid from call_logs where business_id = ?1 and call_sid = ?2 for update""")
                    .setParameter(1, businessId).setParameter(2, report.callSid()).getResultList();
            db.createNativeQuery("""
                            insert into call_logs (business_id, call_sid, recording_sid, recording_url, recording_status,
                                recording_duration_seconds, recording_channels)
                            values (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                            on conflict (business_id, call_sid) do update set
                                recording_sid = excluded.recording_sid,
                                recording_url = excluded.recording_url,
                                recording_status = excluded.recording_status,
                                recording_duration_seconds = coalesce(excluded.recording_duration_seconds,
                                    call_logs.recording_duration_seconds),
                                recording_channels = coalesce(excluded.recording_channels, call_logs.recording_channels),
                                updated_at = now()""")
                    .setParameter(1, businessId).setParameter(2, report.callSid()).setParameter(3, report.recordingSid())
                    .setParameter(4, text(report.url())).setParameter(5, text(report.status()))
                    .setParameter(6, integer(report.durationSeconds())).setParameter(7, integer(report.channels()))
                    .executeUpdate();
            Object before = previous.isEmpty() ? null : previous.get(0);
            if (before == null) {
                return Reported.FIRST;
            }
            if (before.equals(report.recordingSid())) {
                return Reported.SAME;
            }
            supersedeRuns(businessId, report.callSid());
            db.createNativeQuery("""
                            update call_logs set recording_download_status = ?3, recording_storage_key = null,
                                recording_size_bytes = null, recording_content_type = null, recording_ready_at = null,
                                recording_fail_count = 0, recording_next_retry_at = null, recording_error = null,
                                recording_progress_bytes = 0, recording_progress_total = null, updated_at = now()
                            where business_id = ?1 and call_sid = ?2""")
                    .setParameter(1, businessId).setParameter(2, report.callSid())
                    .setParameter(3, RecordingRules.target(RecordingChange.NEW_RECORDING).wire()).executeUpdate();
            return Reported.REPLACED;
        });
        events.publish(new RecordingEvents.Event(businessId, report.callSid(), RecordingEvents.CHANGED));
        return reported;
    }

    private void supersedeRuns(long businessId, String callSid) {
        db.createNativeQuery("""
                        update recording_runs set status = ?3, finished_at = now(), lease_until = null
                        where business_id = ?1 and call_sid = ?2 and status in (%s)"""
                        .formatted(in(RecordingRules.from(RunChange.SUPERSEDE))))
                .setParameter(1, businessId).setParameter(2, callSid)
                .setParameter(3, RecordingRules.target(RunChange.SUPERSEDE).wire()).executeUpdate();
    }

    // ---- an explicit Play enqueues ------------------------------------------------------------------

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
        return QuarkusTransaction.requiringNew().call(() -> db.createNativeQuery(
                        "select status from recording_runs where id = ?1", String.class)
                .setParameter(1, runId).getResultList().stream().findFirst().map(status -> RunStatus.fromWire((String) status)));
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

    // ---- a worker downloads ------------------------------------------------------------------------

    /** A run as a worker needs it to decide about a delivery. */
    public record RunState(RunStatus status, long waitMillis, boolean leaseExpired, Lane lane) {

        public RecordingRules.Delivery decide() {
            return RecordingRules.onDelivery(Optional.of(status), waitMillis == 0, leaseExpired);
        }
    }

    public Optional<RunState> run(long runId) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(db.createNativeQuery("""
                        select status,
                               greatest(0, extract(epoch from (not_before - now())) * 1000)::bigint,
                               coalesce(lease_until < now(), true), lane
                        from recording_runs where id = ?1""", Tuple.class)
                .setParameter(1, runId)).stream().findFirst()
                .map(row -> new RunState(RunStatus.fromWire(row.get(0, String.class)), ((Number) row.get(1)).longValue(),
                        row.get(2, Boolean.class), Lane.fromWire(row.get(3, String.class)))));
    }

    public sealed interface ClaimOutcome {
    }

    /** The run is this worker's until {@code fence} moves on; what to download. */
    public record Claimed(long fence, String accountSid, String recordingSid) implements ClaimOutcome {
    }

    /** Someone else has the run, it is not due, or it is over. */
    public record NotClaimed() implements ClaimOutcome {
    }

    /**
     * Takes a run that is due, or whose holder's lease ran out, and marks its recording downloading.
     */
    public ClaimOutcome claim(long runId, String worker, Duration lease) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Tuple> claimed = tuples(db.createNativeQuery("""
                            update recording_runs set status = ?4, fence = fence + 1, worker = ?2,
                                lease_until = now() + make_interval(secs => ?3), started_at = now(), live_url = null
                            where id = ?1 and ((status in (%s) and not_before <= now())
                                or (status in (%s) and lease_until < now()))
                            returning fence, business_id, call_sid"""
                            .formatted(in(RecordingRules.from(RunChange.CLAIM)), in(RecordingRules.from(RunChange.TAKE_OVER))),
                            Tuple.class)
                    .setParameter(1, runId).setParameter(2, worker).setParameter(3, seconds(lease))
                    .setParameter(4, RecordingRules.target(RunChange.CLAIM).wire()));
            if (claimed.isEmpty()) {
                return new NotClaimed();
            }
            Tuple run = claimed.get(0);
            Tuple call = (Tuple) db.createNativeQuery("""
                            update call_logs c set recording_download_status = ?3,
                                recording_progress_bytes = 0, recording_progress_total = null, updated_at = now()
                            from businesses b
                            where c.business_id = ?1 and c.call_sid = ?2 and b.id = c.business_id
                            returning b.account_sid, c.recording_sid""", Tuple.class)
                    .setParameter(1, ((Number) run.get(1)).longValue()).setParameter(2, run.get(2, String.class))
                    .setParameter(3, RecordingRules.target(RecordingChange.CLAIM).wire()).getSingleResult();
            return new Claimed(((Number) run.get(0)).longValue(), call.get(0, String.class), call.get(1, String.class));
        });
    }

    public enum Lease {
        RENEWED,
        /** The provider replaced the recording: the download is of no use any more. */
        SUPERSEDED,
        /** The fence moved on: the run was taken over or swept. */
        LOST
    }

    public Lease renew(long runId, long fence, Duration lease) {
        int renewed = QuarkusTransaction.requiringNew().call(() -> db.createNativeQuery("""
                        update recording_runs set lease_until = now() + make_interval(secs => ?3)
                        where id = ?1 and fence = ?2 and status in (%s)""".formatted(in(RecordingRules.from(RunChange.RENEW))))
                .setParameter(1, runId).setParameter(2, fence).setParameter(3, seconds(lease)).executeUpdate());
        if (renewed == 1) {
            return Lease.RENEWED;
        }
        return runStatus(runId).filter(status -> status == RunStatus.SUPERSEDED).isPresent() ? Lease.SUPERSEDED : Lease.LOST;
    }

    public enum Progress {
        RECORDED,
        /** The run is no longer this worker's. */
        STALE
    }

    public Progress progress(DownloadJob job, long fence, long bytes, Long total) {
        int updated = QuarkusTransaction.requiringNew().call(() -> db.createNativeQuery("""
                        update call_logs set recording_progress_bytes = ?3, recording_progress_total = ?4
                        where business_id = ?1 and call_sid = ?2 and exists (
                            select 1 from recording_runs where id = ?5 and fence = ?6 and status in (%s))"""
                        .formatted(in(RecordingRules.from(RunChange.RENEW))))
                .setParameter(1, job.businessId()).setParameter(2, job.callSid()).setParameter(3, bytes)
                .setParameter(4, total == null ? bytes : total).setParameter(5, job.runId()).setParameter(6, fence)
                .executeUpdate());
        return updated == 1 ? Progress.RECORDED : Progress.STALE;
    }

    /**
     * The first bytes proved audio: the run's worker serves what it has received at {@code liveUrl} until
     * the run ends. Wakes the long-polls, which may then start the player.
     */
    public Progress playable(DownloadJob job, long fence, URI liveUrl) {
        int updated = QuarkusTransaction.requiringNew().call(() -> db.createNativeQuery("""
                        update recording_runs set live_url = ?3
                        where id = ?1 and fence = ?2 and status in (%s)""".formatted(in(RecordingRules.from(RunChange.RENEW))))
                .setParameter(1, job.runId()).setParameter(2, fence).setParameter(3, liveUrl.toString()).executeUpdate());
        if (updated == 0) {
            return Progress.STALE;
        }
        events.publish(new RecordingEvents.Event(job.businessId(), job.callSid(), RecordingEvents.CHANGED));
        return Progress.RECORDED;
    }

    /**
     * Where the recording's bytes can be read while it downloads: the internal URL of the worker
     * receiving it, once its first bytes proved audio; empty when no run of it is receiving.
     */
    public Optional<URI> liveSource(long businessId, String callSid) {
        return QuarkusTransaction.requiringNew().call(() -> ((List<?>) db.createNativeQuery("""
                        select live_url from recording_runs
                        where business_id = ?1 and call_sid = ?2 and status = ?3 and live_url is not null
                        order by id desc limit 1""", String.class)
                .setParameter(1, businessId).setParameter(2, callSid).setParameter(3, RunStatus.RUNNING.wire())
                .getResultList()).stream().findFirst().map(value -> URI.create(value.toString())));
    }

    /** The file step of a success: runs inside the transaction, after the run is known to be ours. */
    public interface FileCommit {
        void run() throws IOException;
    }

    public sealed interface SuccessOutcome {
    }

    /**
     * The recording is ready and its file in place; {@code sinceEnqueue} is the time since the Play that
     * enqueued this cycle's first attempt, when one did.
     */
    public record Committed(Optional<Duration> sinceEnqueue) implements SuccessOutcome {
    }

    /**
     * The fence moved on (the run was taken over, swept or superseded): nothing was written, and after a
     * download the file was not committed.
     */
    public record RunLost() implements SuccessOutcome, FailOutcome {
    }

    /** The file could not be put in place: nothing was written, the attempt is to be failed. */
    public record StorageFailed(IOException cause) implements SuccessOutcome {
    }

    /**
     * Marks the run succeeded and the recording ready, and puts the file in place, all or nothing: a
     * storage failure rolls the rows back and is returned, not thrown.
     */
    public SuccessOutcome succeed(DownloadJob job, long fence, String storageKey, long size, String contentType,
                                  FileCommit commitFile) {
        SuccessOutcome outcome;
        try {
            outcome = QuarkusTransaction.requiringNew().call(() -> commitSuccess(job, fence, storageKey, size, contentType,
                    commitFile));
        } catch (RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof FileNotCommitted notCommitted) {
                    return new StorageFailed(notCommitted.getCause());
                }
            }
            throw e;
        }
        if (outcome instanceof Committed) {
            events.publish(new RecordingEvents.Event(job.businessId(), job.callSid(), DownloadStatus.READY.wire()));
        }
        return outcome;
    }

    private SuccessOutcome commitSuccess(DownloadJob job, long fence, String storageKey, long size, String contentType,
                                         FileCommit commitFile) {
        int won = db.createNativeQuery("""
                        update recording_runs set status = ?3, finished_at = now(), lease_until = null,
                            http_status = 200, error = null
                        where id = ?1 and fence = ?2 and status in (%s)"""
                        .formatted(in(RecordingRules.from(RunChange.SUCCEED))))
                .setParameter(1, job.runId()).setParameter(2, fence)
                .setParameter(3, RecordingRules.target(RunChange.SUCCEED).wire()).executeUpdate();
        if (won == 0) {
            return new RunLost();
        }
        try {
            commitFile.run();
        } catch (IOException e) {
            throw new FileNotCommitted(e);
        }
        List<?> enqueued = db.createNativeQuery("""
                        update call_logs set recording_download_status = ?6, recording_storage_key = ?3,
                            recording_size_bytes = ?4, recording_content_type = ?5, recording_ready_at = clock_timestamp(),
                            recording_last_played_at = clock_timestamp(),
                            recording_fail_count = 0, recording_error = null, recording_next_retry_at = null,
                            recording_progress_bytes = ?4, recording_progress_total = ?4, updated_at = now()
                        where business_id = ?1 and call_sid = ?2
                        returning (extract(epoch from (clock_timestamp() - recording_last_enqueue_at)) * 1000)::bigint""")
                .setParameter(1, job.businessId()).setParameter(2, job.callSid()).setParameter(3, storageKey)
                .setParameter(4, size).setParameter(5, contentType)
                .setParameter(6, RecordingRules.target(RecordingChange.SUCCEED).wire()).getResultList();
        return new Committed(enqueued.stream().filter(Objects::nonNull)
                .map(millis -> Duration.ofMillis(((Number) millis).longValue())).findFirst());
    }

    /** Thrown inside the success transaction so that it rolls back when the file cannot be committed. */
    private static final class FileNotCommitted extends RuntimeException {

        FileNotCommitted(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    public sealed interface FailOutcome {
    }

    /**
     * The next attempt is queued, due after {@code delay}; {@code nextRunId} is empty when an active run
     * already existed (nothing new to schedule).
     */
    public record RetryQueued(Optional<Long> nextRunId, Duration delay, Lane lane) implements FailOutcome {
    }

    /** The cycle is over: the recording is failed. */
    public record RecordingFailed() implements FailOutcome {
    }

    /**
     * Records a failed attempt and applies {@link RecordingRules#afterFailure}: the next attempt queued
     * after its delay with the recording still queued, or the recording failed.
     */
    public FailOutcome fail(DownloadJob job, long fence, FailureReason reason, Integer httpStatus, Duration retryAfter,
                            BackoffPolicy policy) {
        FailOutcome outcome = QuarkusTransaction.requiringNew().call(() -> {
            List<?> failed = db.createNativeQuery("""
                            update recording_runs set status = ?5, finished_at = now(), lease_until = null,
                                error = ?3, http_status = ?4
                            where id = ?1 and fence = ?2 and status in (%s)
                            returning attempt, lane""".formatted(in(RecordingRules.from(RunChange.FAIL))), Tuple.class)
                    .setParameter(1, job.runId()).setParameter(2, fence).setParameter(3, reason.code())
                    .setParameter(4, httpStatus == null ? 0 : httpStatus)
                    .setParameter(5, RecordingRules.target(RunChange.FAIL).wire()).getResultList();
            if (failed.isEmpty()) {
                return new RunLost();
            }
            int attempt = ((Number) ((Tuple) failed.get(0)).get(0)).intValue();
            Lane lane = Lane.fromWire(((Tuple) failed.get(0)).get(1, String.class));
            AfterFailure decision = RecordingRules.afterFailure(attempt, reason, retryAfter, policy);
            if (decision instanceof GiveUp giveUp) {
                db.createNativeQuery("""
                                update call_logs set recording_download_status = ?4, recording_error = ?3,
                                    recording_fail_count = recording_fail_count + 1,
                                    recording_next_retry_at = now() + make_interval(secs => ?5), updated_at = now()
                                where business_id = ?1 and call_sid = ?2""")
                        .setParameter(1, job.businessId()).setParameter(2, job.callSid()).setParameter(3, reason.code())
                        .setParameter(4, RecordingRules.target(RecordingChange.GIVE_UP).wire())
                        .setParameter(5, decimal(giveUp.refuseFor().map(RecordingLifecycle::seconds).orElse(null)))
                        .executeUpdate();
                return new RecordingFailed();
            }
            Duration delay = ((Retry) decision).delay();
            List<?> next = db.createNativeQuery("""
                            insert into recording_runs (business_id, call_sid, status, attempt, not_before, lane)
                            values (?1, ?2, ?5, ?3, now() + make_interval(secs => ?4), ?6)
                            on conflict (business_id, call_sid) where status in (%s) do nothing
                            returning id""".formatted(in(ACTIVE_RUNS)))
                    .setParameter(1, job.businessId()).setParameter(2, job.callSid()).setParameter(3, attempt + 1)
                    .setParameter(4, seconds(delay)).setParameter(5, RunStatus.QUEUED.wire())
                    .setParameter(6, lane.wire()).getResultList();
            db.createNativeQuery("""
                            update call_logs set recording_download_status = ?5, recording_error = ?3,
                                recording_fail_count = recording_fail_count + 1,
                                recording_next_retry_at = now() + make_interval(secs => ?4), updated_at = now()
                            where business_id = ?1 and call_sid = ?2""")
                    .setParameter(1, job.businessId()).setParameter(2, job.callSid())
                    .setParameter(3, reason.code()).setParameter(4, seconds(delay))
                    .setParameter(5, RecordingRules.target(RecordingChange.RETRY).wire()).executeUpdate();
            return new RetryQueued(next.stream().map(id -> ((Number) id).longValue()).findFirst(), delay, lane);
        });
        if (outcome instanceof RecordingFailed) {
            events.publish(new RecordingEvents.Event(job.businessId(), job.callSid(), DownloadStatus.FAILED.wire()));
        }
        return outcome;
    }

    public enum Released {
        RELEASED,
        /** The fence moved on: the run is no longer this worker's to hand back. */
        NOT_OURS
    }

    /** Hands a run back to the queue (its worker is shutting down); the recording is queued again. */
    public Released release(DownloadJob job, long fence) {
        return QuarkusTransaction.requiringNew().call(() -> {
            int released = db.createNativeQuery("""
                            update recording_runs set status = ?3, lease_until = null, worker = null,
                                pushed_at = now(), not_before = now()
                            where id = ?1 and fence = ?2 and status in (%s)"""
                            .formatted(in(RecordingRules.from(RunChange.RELEASE))))
                    .setParameter(1, job.runId()).setParameter(2, fence)
                    .setParameter(3, RecordingRules.target(RunChange.RELEASE).wire()).executeUpdate();
            if (released == 0) {
                return Released.NOT_OURS;
            }
            db.createNativeQuery("""
                            update call_logs set recording_download_status = ?3, updated_at = now()
                            where business_id = ?1 and call_sid = ?2""")
                    .setParameter(1, job.businessId()).setParameter(2, job.callSid())
                    .setParameter(3, RecordingRules.target(RecordingChange.RELEASE).wire()).executeUpdate();
            return Released.RELEASED;
        });
    }

    // ---- the worker's sweep ------------------------------------------------------------------------

    /** A running run whose holder stopped renewing its lease. */
    public record LostRun(DownloadJob job, long fence) {
    }

    /** Runs whose holder stopped renewing long ago (its stream entry is gone too). */
    public List<LostRun> lostRuns(Duration grace, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(db.createNativeQuery("""
                        select id, business_id, call_sid, fence, lane from recording_runs
                        where status in (%s) and lease_until < now() - make_interval(secs => ?1)
                        order by lease_until limit ?2""".formatted(in(RecordingRules.from(RunChange.SWEEP))), Tuple.class)
                .setParameter(1, seconds(grace)).setParameter(2, limit)).stream()
                .map(row -> new LostRun(new DownloadJob(((Number) row.get(0)).longValue(),
                        ((Number) row.get(1)).longValue(), row.get(2, String.class), Lane.fromWire(row.get(4, String.class))),
                        ((Number) row.get(3)).longValue()))
                .toList());
    }

    /** Fails a lost run as {@link FailureReason#WORKER_LOST}; the usual backoff decides what follows. */
    public FailOutcome sweep(LostRun lost, BackoffPolicy policy) {
        return fail(lost.job(), lost.fence(), FailureReason.WORKER_LOST, null, null, policy);
    }

    /**
     * Queued runs that are due but have not been pushed to Redis for a while (Redis lost them, or the
     * api could not push): marked pushed now, returned to be pushed again. A duplicate is harmless: only
     * one delivery can claim the run.
     */
    public List<DownloadJob> takeUnpushed(Duration after, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(db.createNativeQuery("""
                        update recording_runs set pushed_at = now()
                        where id in (select id from recording_runs
                            where status in (%s) and greatest(pushed_at, not_before) < now() - make_interval(secs => ?1)
                            order by id limit ?2 for update skip locked)
                        returning id, business_id, call_sid, lane""".formatted(in(RecordingRules.from(RunChange.CLAIM))), Tuple.class)
                .setParameter(1, seconds(after)).setParameter(2, limit)).stream()
                .map(row -> new DownloadJob(((Number) row.get(0)).longValue(), ((Number) row.get(1)).longValue(),
                        row.get(2, String.class), Lane.fromWire(row.get(3, String.class))))
                .toList());
    }

    // ---- the api finds a file gone; the demo starts over ---------------------------------------------

    public enum FileMissing {
        MARKED_MISSING,
        /** The recording was no longer ready (another request got there first). */
        UNCHANGED
    }

    /** A ready recording whose file is gone becomes missing, so that a Play downloads it again. */
    public FileMissing fileMissing(long callId) {
        int updated = QuarkusTransaction.requiringNew().call(() -> db.createNativeQuery("""
                        update call_logs set recording_download_status = ?2, recording_storage_key = null,
                            recording_size_bytes = null, recording_content_type = null, updated_at = now()
                        where id = ?1 and recording_download_status in (%s)"""
                        .formatted(in(RecordingRules.from(RecordingChange.FILE_MISSING))))
                .setParameter(1, callId).setParameter(2, RecordingRules.target(RecordingChange.FILE_MISSING).wire())
                .executeUpdate());
        return updated == 1 ? FileMissing.MARKED_MISSING : FileMissing.UNCHANGED;
    }

    // ---- cache retention ---------------------------------------------------------------------------

    /** How often a served recording's last play is written, at most. */
    public static final Duration PLAYED_RESOLUTION = Duration.ofMinutes(1);

    /**
     * The api served the ready recording: its last play is now. Written at most once per
     * {@link #PLAYED_RESOLUTION}, so that a popular recording costs one small UPDATE a minute.
     *
     * @return whether the row was written
     */
    public boolean played(long businessId, String callSid) {
        return QuarkusTransaction.requiringNew().call(() -> db.createNativeQuery("""
                        update call_logs set recording_last_played_at = now()
                        where business_id = ?1 and call_sid = ?2 and recording_download_status = ?3
                          and (recording_last_played_at is null
                               or recording_last_played_at < now() - make_interval(secs => ?4))""")
                .setParameter(1, businessId).setParameter(2, callSid).setParameter(3, DownloadStatus.READY.wire())
                .setParameter(4, seconds(PLAYED_RESOLUTION)).executeUpdate()) == 1;
    }

    /**
     * A stored recording the evictor may drop; {@code lastPlayedMicros} is its last play as read (epoch
     * microseconds, PostgreSQL's own precision), the value the eviction compares and sets on.
     */
    public record Evictable(long callId, long businessId, String callSid, String storageKey, long sizeBytes,
                            long lastPlayedMicros) {
    }

    /** The total size of the ready recordings: what the stored files take. */
    public long storedBytes() {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) db.createNativeQuery("""
                        select coalesce(sum(recording_size_bytes), 0) from call_logs
                        where recording_download_status in (%s)""".formatted(in(RecordingRules.from(RecordingChange.EVICT))))
                .getSingleResult()).longValue());
    }

    /**
     * Ready recordings not played since {@code before}, the least recently played first (becoming ready
     * counts as a play, so every one has a last play: the schema checks it, and the partial index
     * {@code call_logs_ready_last_played} answers this).
     */
    public List<Evictable> playedBefore(Duration before, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(db.createNativeQuery("""
                        select id, business_id, call_sid, recording_storage_key, coalesce(recording_size_bytes, 0),
                               (extract(epoch from recording_last_played_at) * 1000000)::bigint
                        from call_logs
                        where recording_download_status in (%s)
                          and recording_last_played_at < now() - make_interval(secs => ?1)
                        order by recording_last_played_at, id limit ?2"""
                        .formatted(in(RecordingRules.from(RecordingChange.EVICT))), Tuple.class)
                .setParameter(1, seconds(before)).setParameter(2, limit)).stream()
                .map(row -> new Evictable(((Number) row.get(0)).longValue(), ((Number) row.get(1)).longValue(),
                        row.get(2, String.class), row.get(3, String.class), ((Number) row.get(4)).longValue(),
                        ((Number) row.get(5)).longValue()))
                .toList());
    }

    /** Deletes a stored file; an {@link IOException} keeps the recording ready. */
    @FunctionalInterface
    public interface FileDelete {
        void run() throws IOException;
    }

    public enum Evicted {
        EVICTED,
        /** Played since it was read, no longer ready, or its file could not be deleted: it stays as it is. */
        UNCHANGED
    }

    /**
     * Applies {@link RecordingChange#EVICT}: the recording becomes missing, compare-and-set on its status
     * and on the last play the evictor read (a Play in between wins), and its file is deleted before the
     * commit, under the row's lock, so that no Play can queue its download again until the old file is
     * gone. A failed delete rolls the change back. Announced as changed, so that api caches forget it.
     */
    public Evicted evict(Evictable recording, FileDelete deleteFile) {
        Evicted evicted;
        try {
            evicted = QuarkusTransaction.requiringNew().call(() -> {
                int updated = db.createNativeQuery("""
                                update call_logs set recording_download_status = ?2, recording_storage_key = null,
                                    recording_size_bytes = null, recording_content_type = null, updated_at = now()
                                where id = ?1 and recording_download_status in (%s)
                                  and (extract(epoch from recording_last_played_at) * 1000000)::bigint = ?3"""
                                .formatted(in(RecordingRules.from(RecordingChange.EVICT))))
                        .setParameter(1, recording.callId())
                        .setParameter(2, RecordingRules.target(RecordingChange.EVICT).wire())
                        .setParameter(3, recording.lastPlayedMicros()).executeUpdate();
                if (updated == 0) {
                    return Evicted.UNCHANGED;
                }
                try {
                    deleteFile.run();
                } catch (IOException e) {
                    throw new FileNotDeleted(e);
                }
                return Evicted.EVICTED;
            });
        } catch (RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof FileNotDeleted notDeleted) {
                    Log.warnf("recording of call %s not evicted: its file could not be deleted (%s)",
                            recording.callSid(), notDeleted.getCause().getMessage());
                    return Evicted.UNCHANGED;
                }
            }
            throw e;
        }
        if (evicted == Evicted.EVICTED) {
            events.publish(new RecordingEvents.Event(recording.businessId(), recording.callSid(), RecordingEvents.CHANGED));
        }
        return evicted;
    }

    /** Thrown inside the eviction's transaction so that it rolls back when the file stays. */
    private static final class FileNotDeleted extends RuntimeException {

        FileNotDeleted(IOException cause) {
            super(cause);
        }
    }

    /** What a reset removed. */
    public record Reset(int runsDeleted, int recordingsReset) {
    }

    /** Development only: every run is forgotten and every recording missing again; calls stay. */
    public Reset reset() {
        Reset reset = QuarkusTransaction.requiringNew().call(() -> new Reset(
                db.createNativeQuery("delete from recording_runs").executeUpdate(),
                db.createNativeQuery("""
                        update call_logs set recording_download_status = ?1, recording_last_enqueue_at = null,
                            recording_fail_count = 0, recording_next_retry_at = null, recording_error = null,
                            recording_size_bytes = null, recording_content_type = null, recording_storage_key = null,
                            recording_progress_bytes = 0, recording_progress_total = null, recording_ready_at = null,
                            recording_last_played_at = null, updated_at = now()""")
                        .setParameter(1, RecordingRules.target(RecordingChange.RESET).wire()).executeUpdate()));
        events.publish(new RecordingEvents.Event(0, "*", RecordingEvents.RESET));
        return reset;
    }

    // ---- SQL helpers ---------------------------------------------------------------------------------

    /** The statuses the partial unique index covers: a literal, because ON CONFLICT must match its predicate. */
    private static final Set<RunStatus> ACTIVE_RUNS = Arrays.stream(RunStatus.values()).filter(RunStatus::isActive)
            .collect(Collectors.toUnmodifiableSet());

    /** A status set as a SQL list of literals; the wire forms are enum-defined lower-case words. */
    private static String in(Set<? extends WireConverter.Wire> statuses) {
        return statuses.stream().map(status -> "'" + status.wire() + "'").sorted().collect(Collectors.joining(", "));
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    @SuppressWarnings("unchecked")
    private static List<Tuple> tuples(Query query) {
        return query.getResultList();
    }
}
