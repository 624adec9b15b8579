package playback.worker.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import playback.lifecycle.RunRecovery;
import playback.queue.JobQueue;
import playback.queue.RedisKeys;
import playback.worker.service.DownloadProcessor;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Notices that the Redis primary changed (a Sentinel failover, or a server that restarted without its
 * data) and puts back at once what Redis may have lost, rather than at the orphan sweep minutes later.
 * Replication is asynchronous: the last stream entries, delayed jobs and slot leases written before a
 * failover can be missing on the new primary. The primary is known by its replication id, which a
 * promoted replica and a restarted server change.
 *
 * <p>Every worker renews the leases of its running downloads at once (a lease Redis lost is put back)
 * and makes sure the consumer groups exist; one worker, the first to take the primary's
 * {@link RedisKeys#rebuilt} key, pushes every queued run of PostgreSQL again (a due one onto its stream,
 * the others into the delayed set). A duplicate push is harmless: only one delivery can claim a run.
 */
@ApplicationScoped
public class RedisPrimaryWatch {

    private static final long CHECK_EVERY_NANOS = Duration.ofSeconds(1).toNanos();
    /** Long enough that a worker restarting against the same primary finds it rebuilt already. */
    private static final Duration REBUILT_KEPT = Duration.ofDays(7);
    /** Queued runs put back in one rebuild; any beyond are pushed by the orphan sweep. */
    private static final int REBUILD_LIMIT = 10_000;

    private final RedisDataSource redis;
    private final RunRecovery recovery;
    private final JobQueue queue;
    private final JobStream stream;
    private final DownloadProcessor processor;
    private final Counter changes;
    private String replicationId;
    private long nextCheck = System.nanoTime();

    public RedisPrimaryWatch(RedisDataSource redis, RunRecovery recovery, JobQueue queue, JobStream stream,
                             DownloadProcessor processor, MeterRegistry registry) {
        this.redis = redis;
        this.recovery = recovery;
        this.queue = queue;
        this.stream = stream;
        this.processor = processor;
        this.changes = Counter.builder("playback_redis_primary_changes_total")
                .description("times this worker found a new Redis primary (a failover, or a restart without its data)")
                .register(registry);
    }

    /** Called by the consumer's loop at every turn; asks Redis at most once a second. */
    void check(String consumer) {
        long now = System.nanoTime();
        if (now - nextCheck < 0) {
            return;
        }
        nextCheck = now + CHECK_EVERY_NANOS;
        Optional<String> reported = replicationId(redis.execute("INFO", "replication"));
        if (reported.isEmpty() || reported.get().equals(replicationId)) {
            return;
        }
        String current = reported.get();
        boolean changed = replicationId != null;
        replicationId = current;
        if (changed) {
            changes.increment();
            Log.warnf("the Redis primary changed (a failover, or a restart without its data); renewing this worker's "
                    + "slot leases and putting the queue back from PostgreSQL");
            stream.ensureGroup();
            processor.renewAllNow();
        }
        if (redis.execute("SET", RedisKeys.rebuilt(current), consumer, "NX", "EX",
                Long.toString(REBUILT_KEPT.toSeconds())) != null) {
            rebuild();
        }
    }

    /** Pushes every queued run again: due ones onto their stream, the others after their delay. */
    private void rebuild() {
        List<RunRecovery.QueuedRun> queued = recovery.takeAllQueued(REBUILD_LIMIT);
        for (RunRecovery.QueuedRun run : queued) {
            if (run.dueIn().isZero()) {
                queue.enqueue(run.job());
            } else {
                queue.schedule(run.job(), run.dueIn());
            }
        }
        Log.debugf("queue rebuilt from PostgreSQL on this Redis primary: %d queued runs pushed again", queued.size());
    }

    /**
     * The {@code master_replid} line of INFO replication; empty where a managed service hides it (the
     * orphan sweep is the backstop there).
     */
    static Optional<String> replicationId(Response info) {
        for (String line : info.toString().split("\r?\n")) {
            if (line.startsWith("master_replid:")) {
                return Optional.of(line.substring("master_replid:".length()).trim());
            }
        }
        return Optional.empty();
    }
}
