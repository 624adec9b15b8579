package playback.lifecycle;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import playback.lifecycle.FailOutcome.RecordingFailed;
import playback.lifecycle.FailOutcome.RetryQueued;
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
import playback.queue.DownloadJob;
import playback.queue.RecordingEvents;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static playback.lifecycle.LifecycleSql.ACTIVE_RUNS;
import static playback.lifecycle.LifecycleSql.in;
import static playback.lifecycle.LifecycleSql.seconds;
import static playback.lifecycle.LifecycleSql.tuples;
import static playback.model.SqlParameters.decimal;

/**
 * A worker's download of a run: the claim that moves the run's fence on, the lease it renews, the
 * progress and live source it reports, and the end it commits (success, failure with its retry, or the
 * run handed back). Every change after the claim is a compare-and-set on the run's id, its fence and
 * the statuses the change may start from: a worker that stalled past its lease finds the fence moved
 * on and writes nothing.
 */
@ApplicationScoped
public class DownloadRuns {

    /** The advisory lock class under which claims of one business are serialised (the business id is the key). */
    private static final int BUSINESS_SLOTS_LOCK = 0x534c4f54;

    private final EntityManager db;
    private final RecordingEvents events;

    public DownloadRuns(EntityManager db, RecordingEvents events) {
        this.db = db;
        this.events = events;
    }

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
     * The business already has its limit of downloads running, as PostgreSQL knows them: the run waits.
     * Redis's slots admit downloads quickly, but a slot lease written just before a Redis failover can be
     * lost with the old primary; this check keeps the limit whatever Redis lost.
     */
    public record AtLimit(int running) implements ClaimOutcome {
    }

    /**
     * Takes a run that is due, or whose holder's lease ran out, and marks its recording downloading,
     * unless its business has {@code slotLimit} other runs running under a live lease. Claims of one
     * business are serialised by a transaction-scoped advisory lock, so two claims cannot both see the
     * last free slot.
     */
    public ClaimOutcome claim(long runId, String worker, Duration lease, int slotLimit) {
        return QuarkusTransaction.requiringNew().call(() -> {
            // The business's lock first; the count is a statement of its own, so that its snapshot follows the lock.
            Optional<Long> business = db.createNativeQuery("""
                            select r.business_id from recording_runs r,
                                lateral (select pg_advisory_xact_lock(?1, (r.business_id % 2147483647)::int)) l
                            where r.id = ?2""", Long.class)
                    .setParameter(1, BUSINESS_SLOTS_LOCK).setParameter(2, runId)
                    .getResultList().stream().findFirst().map(id -> (Long) id);
            if (business.isEmpty()) {
                return new NotClaimed();
            }
            int running = ((Number) db.createNativeQuery("""
                            select count(*) from recording_runs
                            where business_id = ?1 and id <> ?2 and status in (%s) and lease_until > now()"""
                            .formatted(in(RecordingRules.from(RunChange.RENEW))), Long.class)
                    .setParameter(1, business.get()).setParameter(2, runId).getSingleResult()).intValue();
            if (running >= slotLimit) {
                return new AtLimit(running);
            }
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
        return QuarkusTransaction.requiringNew().call(() -> LifecycleSql.runStatus(db, runId))
                .filter(status -> status == RunStatus.SUPERSEDED).isPresent() ? Lease.SUPERSEDED : Lease.LOST;
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

    public sealed interface SuccessOutcome permits Committed, RunLost, StorageFailed {
    }

    /**
     * The recording is ready and its file in place; {@code sinceEnqueue} is the time since the Play that
     * enqueued this cycle's first attempt, when one did.
     */
    public record Committed(Optional<Duration> sinceEnqueue) implements SuccessOutcome {
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
                        .setParameter(5, decimal(giveUp.refuseFor().map(LifecycleSql::seconds).orElse(null)))
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
}
