package playback.worker.retention;

import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import playback.lifecycle.StoredRecordings;
import playback.lifecycle.StoredRecordings.Evictable;
import playback.queue.RedisKeys;
import playback.redis.LuaScript;
import playback.storage.RecordingStorage;
import playback.worker.config.WorkerConfig;
import playback.worker.metrics.RetentionMetrics;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Cache retention: deletes the stored recordings nobody plays, so that the store does not grow forever.
 * Each run evicts the ready recordings idle longer than the max idle time, then, while the ready
 * recordings' total size exceeds the budget, the least recently played; never one played within the
 * protect window. An evicted recording is missing again, and a Play fetches it once more.
 *
 * <p>One replica runs at a time, by a Redis lock that expires on its own (a replica that dies holding it
 * blocks the others for {@link #LOCK_TTL} at most). Should two runs overlap all the same, nothing breaks:
 * each eviction is a compare-and-set, and only one of them wins a recording.
 */
@ApplicationScoped
public class CacheEvictor {

    static final Duration LOCK_TTL = Duration.ofMinutes(5);
    private static final int BATCH = 100;
    private static final LuaScript DELETE_IF_EQUALS = LuaScript.load("deleteIfEquals-1.lua");

    private final StoredRecordings storedRecordings;
    private final RecordingStorage storage;
    private final RedisDataSource redis;
    private final RetentionMetrics metrics;
    private final WorkerConfig.Retention config;
    private ScheduledExecutorService timer;

    public CacheEvictor(StoredRecordings storedRecordings, RecordingStorage storage, RedisDataSource redis,
                        RetentionMetrics metrics, WorkerConfig config) {
        this.storedRecordings = storedRecordings;
        this.storage = storage;
        this.redis = redis;
        this.metrics = metrics;
        this.config = config.retention();
    }

    /** What decides which recordings go. */
    public record Policy(Duration maxIdle, Optional<Long> budgetBytes, Duration protect) {
    }

    /** What one run did, and the stored bytes it left. */
    public record Run(int idle, int overBudget, long storedBytes) {
    }

    void start(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cache-evictor");
            thread.setDaemon(true);
            return thread;
        });
        long interval = config.interval().toMillis();
        timer.scheduleWithFixedDelay(this::scheduled, interval, interval, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void scheduled() {
        try {
            run(new Policy(config.maxIdle(), config.budget().map(MemorySize::asLongValue), config.protect()));
        } catch (RuntimeException e) {
            Log.warnf("cache retention run failed; the next one tries again: %s", e.toString());
        }
    }

    /** One run under the lock; empty when another replica holds it. */
    public Optional<Run> run(Policy policy) {
        String token = UUID.randomUUID().toString();
        Response taken = redis.execute("SET", RedisKeys.EVICTOR_LOCK, token, "NX", "PX",
                Long.toString(LOCK_TTL.toMillis()));
        if (taken == null) {
            Log.debug("cache retention: another worker runs the evictor");
            return Optional.empty();
        }
        try {
            return Optional.of(evict(policy));
        } finally {
            DELETE_IF_EQUALS.run(redis, List.of(RedisKeys.EVICTOR_LOCK), List.of(token));
        }
    }

    private Run evict(Policy policy) {
        Duration idleAfter = policy.maxIdle().compareTo(policy.protect()) > 0 ? policy.maxIdle() : policy.protect();
        int idle = 0;
        while (true) {
            List<Evictable> batch = storedRecordings.playedBefore(idleAfter, BATCH);
            int evicted = 0;
            for (Evictable recording : batch) {
                if (evict(recording, EvictionReason.IDLE)) {
                    evicted++;
                }
            }
            idle += evicted;
            // A batch with no eviction lost every compare-and-set: the next run looks again.
            if (batch.size() < BATCH || evicted == 0) {
                break;
            }
        }
        int overBudget = 0;
        long stored = storedRecordings.storedBytes();
        if (policy.budgetBytes().isPresent()) {
            long budget = policy.budgetBytes().get();
            while (stored > budget) {
                List<Evictable> batch = storedRecordings.playedBefore(policy.protect(), BATCH);
                int evicted = 0;
                for (Evictable recording : batch) {
                    if (stored <= budget) {
                        break;
                    }
                    if (evict(recording, EvictionReason.BUDGET)) {
                        stored -= recording.sizeBytes();
                        evicted++;
                    }
                }
                overBudget += evicted;
                if (evicted == 0) {
                    break;
                }
            }
            stored = storedRecordings.storedBytes();
            if (stored > budget) {
                Log.debugf("cache retention: %d bytes stored, over the budget of %d, the rest played within %s",
                        stored, budget, policy.protect());
            }
        }
        metrics.stored(stored);
        if (idle + overBudget > 0) {
            Log.infof("cache retention evicted %d idle and %d over-budget recordings; %d bytes stored", idle,
                    overBudget, stored);
        }
        return new Run(idle, overBudget, stored);
    }

    private boolean evict(Evictable recording, EvictionReason reason) {
        StoredRecordings.Evicted evicted = storedRecordings.evict(recording, () -> {
            if (recording.storageKey() != null) {
                storage.delete(recording.storageKey());
            }
        });
        if (evicted != StoredRecordings.Evicted.EVICTED) {
            Log.debugf("recording of call %s kept: played or changed since it was read", recording.callSid());
            return false;
        }
        Log.debugf("evicted the recording of call %s (%s, %d bytes)", recording.callSid(), reason.label(),
                recording.sizeBytes());
        metrics.evicted(reason, recording.sizeBytes());
        return true;
    }
}
