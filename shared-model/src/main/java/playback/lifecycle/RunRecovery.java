package playback.lifecycle;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import playback.lifecycle.RecordingRules.RunChange;
import playback.model.BackoffPolicy;
import playback.model.FailureReason;
import playback.model.Lane;
import playback.queue.DownloadJob;

import java.time.Duration;
import java.util.List;

import static playback.lifecycle.LifecycleSql.in;
import static playback.lifecycle.LifecycleSql.seconds;
import static playback.lifecycle.LifecycleSql.tuples;

/**
 * The worker's sweep: runs whose holder stopped renewing its lease are failed (the usual backoff
 * decides what follows), and queued runs Redis lost are handed back to be pushed again.
 */
@ApplicationScoped
public class RunRecovery {

    private final EntityManager db;
    private final DownloadRuns runs;

    public RunRecovery(EntityManager db, DownloadRuns runs) {
        this.db = db;
        this.runs = runs;
    }

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
        return runs.fail(lost.job(), lost.fence(), FailureReason.WORKER_LOST, null, null, policy);
    }

    /**
     * Queued runs that are due but have not been pushed to Redis for a while (Redis lost them, or the
     * api could not push), and at once those whose push failed ({@link #pushFailed}): marked pushed now,
     * returned to be pushed again. A duplicate is harmless: only one delivery can claim the run.
     */
    public List<DownloadJob> takeUnpushed(Duration after, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(db.createNativeQuery("""
                        update recording_runs set pushed_at = now()
                        where id in (select id from recording_runs
                            where status in (%s) and (greatest(pushed_at, not_before) < now() - make_interval(secs => ?1)
                                or (pushed_at = '-infinity' and not_before <= now()))
                            order by id limit ?2 for update skip locked)
                        returning id, business_id, call_sid, lane""".formatted(in(RecordingRules.from(RunChange.CLAIM))), Tuple.class)
                .setParameter(1, seconds(after)).setParameter(2, limit)).stream()
                .map(RunRecovery::job)
                .toList());
    }

    /**
     * Records that a queued run's job could not be put on the Redis queue (Redis is failing over or
     * down): the next sweep pushes it, without waiting for the orphan delay.
     */
    public void pushFailed(long runId) {
        QuarkusTransaction.requiringNew().run(() -> db.createNativeQuery("""
                        update recording_runs set pushed_at = '-infinity' where id = ?1 and status in (%s)"""
                        .formatted(in(RecordingRules.from(RunChange.CLAIM))))
                .setParameter(1, runId).executeUpdate());
    }

    /** A queued run to put back on the queue, due now or after {@code dueIn}. */
    public record QueuedRun(DownloadJob job, Duration dueIn) {
    }

    /**
     * Every queued run, due or not, marked pushed now: after Redis lost data (its primary changed or it
     * restarted empty), what was on its streams and in its delayed set is put back from PostgreSQL.
     */
    public List<QueuedRun> takeAllQueued(int limit) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(db.createNativeQuery("""
                        update recording_runs r set pushed_at = now() from (select id, not_before from recording_runs
                            where status in (%s) order by id limit ?1 for update skip locked) q
                        where r.id = q.id
                        returning r.id, r.business_id, r.call_sid, r.lane,
                            greatest(0, (extract(epoch from (q.not_before - now())) * 1000)::bigint)"""
                        .formatted(in(RecordingRules.from(RunChange.CLAIM))), Tuple.class)
                .setParameter(1, limit)).stream()
                .map(row -> new QueuedRun(job(row), Duration.ofMillis(((Number) row.get(4)).longValue())))
                .toList());
    }

    private static DownloadJob job(Tuple row) {
        return new DownloadJob(((Number) row.get(0)).longValue(), ((Number) row.get(1)).longValue(),
                row.get(2, String.class), Lane.fromWire(row.get(3, String.class)));
    }
}
