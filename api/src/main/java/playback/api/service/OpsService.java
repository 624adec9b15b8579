package playback.api.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.persistence.Tuple;
import playback.controls.BusinessControls;
import playback.controls.SlotsConfig;
import playback.lifecycle.PlayQueue;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.model.RunStatus;
import playback.queue.QueueFigures;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import static playback.model.SqlValues.instant;

/**
 * The operations page: the queue and every business at a glance, and what operators may do about them
 * (pause, resume, a business's slot limit and prefetch policy, retry a recording now), each recorded in
 * the audit trail.
 * Queue figures come from Redis, everything else from PostgreSQL.
 */
@ApplicationScoped
public class OpsService {

    static final int RECENT_FAILURES = 20;
    static final int AUDIT_ON_OVERVIEW = 20;
    static final int THROUGHPUT_MINUTES = 15;
    static final int STUCK_RUNS = 100;

    private final EntityManager db;
    private final BusinessControls controls;
    private final QueueFigures queueFigures;
    private final RecordingService recordings;
    private final PlayQueue playQueue;
    private final int defaultLimit;

    public OpsService(EntityManager db, BusinessControls controls, QueueFigures queueFigures,
                      RecordingService recordings, PlayQueue playQueue, SlotsConfig slots) {
        this.db = db;
        this.controls = controls;
        this.queueFigures = queueFigures;
        this.recordings = recordings;
        this.playQueue = playQueue;
        this.defaultLimit = slots.perBusiness();
    }

    public record Overview(Instant generatedAt, Queue queue, int defaultLimit, List<BusinessEntry> businesses,
                           List<Throughput> throughput, List<RecentFailure> recentFailures, List<StuckRun> stuckRuns,
                           List<AuditEntry> audit) {
    }

    public record Queue(long waiting, long delayed, long pending, double oldestWaitingSeconds) {
    }

    /**
     * One business: {@code prefetch} null when off; {@code prefetchedToday} the prefetches started today
     * (UTC), as the daily cap counts them, and null while prefetch is off.
     */
    public record BusinessEntry(long id, String name, String accountSid, long inFlight, int limit,
                                boolean limitOverridden, boolean paused, long queued, long downloading, long failed,
                                Prefetch prefetch, Long prefetchedToday) {
    }

    /** A prefetch policy as the API shows it: the last {@code hours}, at most {@code dailyMaxCount} a day (null: no cap). */
    public record Prefetch(int hours, Integer dailyMaxCount) {

        public static Prefetch of(BusinessControls.Prefetch policy) {
            return new Prefetch(policy.hours(), policy.dailyMaxCount());
        }
    }

    public record Throughput(Instant minute, long succeeded, long failed) {
    }

    public record RecentFailure(long businessId, String callSid, String recordingSid, String status, String error,
                                int failCount, Instant nextAttemptAt, Instant updatedAt) {
    }

    public record StuckRun(long runId, long businessId, String callSid, String worker, Instant leaseUntil) {
    }

    public record AuditEntry(Instant at, String actor, String action, long businessId, String callSid, String detail) {
    }

    public Overview overview() {
        QueueFigures.Queue queue = queueFigures.queue();
        return new Overview(Instant.now(),
                new Queue(queue.waiting(), queue.delayed(), queue.pending(), queue.oldestWaiting().toMillis() / 1000.0),
                defaultLimit, businesses(Optional.empty()), throughput(), recentFailures(), stuckRuns(),
                audit(AUDIT_ON_OVERVIEW));
    }

    /** The newest audit entries first. */
    public List<AuditEntry> audit(int limit) {
        return controls.audit(limit).stream().map(entry -> new AuditEntry(entry.at(), entry.actor(),
                entry.action().wire(), entry.businessId(), entry.callSid(), entry.detail())).toList();
    }

    /** Empty when there is no such business. */
    public Optional<BusinessEntry> pause(long businessId, String actor) {
        return controls.pause(businessId, actor).flatMap(changed -> business(businessId));
    }

    public Optional<BusinessEntry> resume(long businessId, String actor) {
        return controls.resume(businessId, actor).flatMap(changed -> business(businessId));
    }

    /** {@code limit} 1 to {@link BusinessControls#MAX_LIMIT}, or null for the default. */
    public Optional<BusinessEntry> setLimit(long businessId, Integer limit, String actor) {
        return controls.setLimit(businessId, limit, actor).flatMap(changed -> business(businessId));
    }

    /** Prefetch on with a policy, or off; false when there is no such business. */
    public boolean setPrefetch(long businessId, Optional<BusinessControls.Prefetch> policy, String actor) {
        return controls.setPrefetch(businessId, policy, actor);
    }

    /** The business's prefetch policy (empty inside: off); empty when there is no such business. */
    public Optional<Optional<BusinessControls.Prefetch>> prefetch(long businessId) {
        return controls.of(businessId).map(known -> controls.prefetch(businessId));
    }

    public sealed interface RetryOutcome {
    }

    /** Retried: the recording's status now. */
    public record Retried(RecordingStatusView status) implements RetryOutcome {
    }

    public record UnknownBusiness() implements RetryOutcome {
    }

    /** No such call in the business, or the call has no completed recording. */
    public record UnknownCall() implements RetryOutcome {
    }

    public record NotRetryable() implements RetryOutcome {
    }

    /** Retries a recording of any business now (operations API: "retry"). */
    public RetryOutcome retry(long businessId, String callSid, String actor) {
        if (controls.of(businessId).isEmpty()) {
            return new UnknownBusiness();
        }
        Optional<CallLog> call = recordings.findCall(businessId, callSid).filter(CallLog::hasPlayableRecording);
        if (call.isEmpty()) {
            return new UnknownCall();
        }
        PlayQueue.RetryNow outcome = recordings.retryNow(call.get());
        String detail;
        if (outcome instanceof PlayQueue.NewCycle cycle) {
            detail = "failed (" + call.get().error + "): new run " + cycle.runId() + " queued";
        } else if (outcome instanceof PlayQueue.RetryDue due) {
            detail = "retry after " + call.get().error + ": run " + due.runId() + " made due";
        } else {
            return new NotRetryable();
        }
        controls.recordRetryNow(businessId, callSid, actor, detail);
        return new Retried(recordings.status(recordings.findCall(businessId, callSid).orElse(call.get())));
    }

    private Optional<BusinessEntry> business(long businessId) {
        return businesses(Optional.of(businessId)).stream().findFirst();
    }

    private List<BusinessEntry> businesses(Optional<Long> only) {
        List<Tuple> rows = read(() -> db.createNativeQuery("""
                        select b.id, b.name, b.account_sid, coalesce(c.paused, false), c.concurrency_limit,
                            count(l.id) filter (where l.recording_download_status = ?1),
                            count(l.id) filter (where l.recording_download_status = ?2),
                            count(l.id) filter (where l.recording_download_status = ?3),
                            c.prefetch_hours, c.prefetch_daily_max_count
                        from businesses b
                        left join business_controls c on c.business_id = b.id
                        left join call_logs l on l.business_id = b.id and l.recording_download_status in (?1, ?2, ?3)
                        where ?4 = 0 or b.id = ?4
                        group by b.id, c.paused, c.concurrency_limit, c.prefetch_hours, c.prefetch_daily_max_count
                        order by b.id""", Tuple.class)
                .setParameter(1, DownloadStatus.QUEUED.wire()).setParameter(2, DownloadStatus.DOWNLOADING.wire())
                .setParameter(3, DownloadStatus.FAILED.wire()).setParameter(4, only.orElse(0L)));
        return rows.stream().map(row -> {
            long id = ((Number) row.get(0)).longValue();
            Number limit = (Number) row.get(4);
            Number prefetchHours = (Number) row.get(8);
            Number prefetchCap = (Number) row.get(9);
            Prefetch prefetch = prefetchHours == null ? null
                    : new Prefetch(prefetchHours.intValue(), prefetchCap == null ? null : prefetchCap.intValue());
            // Only a business with prefetch on costs a count (on the index of today's background runs).
            return new BusinessEntry(id, row.get(1, String.class), row.get(2, String.class), queueFigures.inFlight(id),
                    limit == null ? defaultLimit : limit.intValue(), limit != null, row.get(3, Boolean.class),
                    count(row, 5), count(row, 6), count(row, 7), prefetch,
                    prefetch == null ? null : playQueue.backgroundRunsToday(id));
        }).toList();
    }

    /** Attempts finished per minute over the last minutes, oldest first, minutes without any included. */
    private List<Throughput> throughput() {
        return read(() -> db.createNativeQuery("""
                        with finished as (
                            select date_trunc('minute', finished_at) as minute, status from recording_runs
                            where finished_at >= date_trunc('minute', now()) - make_interval(mins => ?1 - 1)
                              and status in (?2, ?3))
                        select m.minute, count(f.status) filter (where f.status = ?2),
                            count(f.status) filter (where f.status = ?3)
                        from generate_series(date_trunc('minute', now()) - make_interval(mins => ?1 - 1),
                                             date_trunc('minute', now()), interval '1 minute') as m(minute)
                        left join finished f on f.minute = m.minute
                        group by m.minute order by m.minute""", Tuple.class)
                .setParameter(1, THROUGHPUT_MINUTES).setParameter(2, RunStatus.SUCCEEDED.wire())
                .setParameter(3, RunStatus.FAILED.wire()))
                .stream().map(row -> new Throughput(instant(row.get(0)), count(row, 1), count(row, 2))).toList();
    }

    /** Recordings whose last attempt failed: queued with a retry pending, or failed; newest first. */
    private List<RecentFailure> recentFailures() {
        return read(() -> db.createNativeQuery("""
                        select business_id, call_sid, recording_sid, recording_download_status, recording_error,
                            recording_fail_count, recording_next_retry_at, updated_at
                        from call_logs
                        where recording_download_status in (?1, ?2) and recording_error is not null
                        order by updated_at desc, id desc limit ?3""", Tuple.class)
                .setParameter(1, DownloadStatus.QUEUED.wire()).setParameter(2, DownloadStatus.FAILED.wire())
                .setParameter(3, RECENT_FAILURES))
                .stream().map(row -> {
                    String status = row.get(3, String.class);
                    boolean retryPending = DownloadStatus.fromWire(status) == DownloadStatus.QUEUED;
                    return new RecentFailure(((Number) row.get(0)).longValue(), row.get(1, String.class),
                            row.get(2, String.class), status, row.get(4, String.class), ((Number) row.get(5)).intValue(),
                            retryPending ? instant(row.get(6)) : null, instant(row.get(7)));
                }).toList();
    }

    /** Runs still running whose lease ran out: their worker is gone and the sweep has not failed them yet. */
    private List<StuckRun> stuckRuns() {
        return read(() -> db.createNativeQuery("""
                        select id, business_id, call_sid, worker, lease_until from recording_runs
                        where status = ?1 and lease_until < now() order by lease_until limit ?2""", Tuple.class)
                .setParameter(1, RunStatus.RUNNING.wire()).setParameter(2, STUCK_RUNS))
                .stream().map(row -> new StuckRun(((Number) row.get(0)).longValue(), ((Number) row.get(1)).longValue(),
                        row.get(2, String.class), row.get(3, String.class), instant(row.get(4)))).toList();
    }

    private List<Tuple> read(Supplier<Query> query) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(query.get().getResultList()));
    }

    private static long count(Tuple row, int index) {
        return ((Number) row.get(index)).longValue();
    }

    @SuppressWarnings("unchecked")
    private static List<Tuple> tuples(List<?> rows) {
        return (List<Tuple>) rows;
    }
}
