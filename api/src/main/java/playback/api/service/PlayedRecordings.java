package playback.api.service;

import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import playback.lifecycle.StoredRecordings;
import playback.queue.RecordingEvents;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Records that a ready recording was served, for cache retention: its last play, written off the
 * request's thread (a cached answer on the event loop never waits for PostgreSQL) by one writer thread
 * with a bounded backlog. This replica asks at most once a minute per recording, and the lifecycle's
 * guarded UPDATE writes at most once a minute across replicas. Best effort: a write dropped under a
 * full backlog, or lost to a restart, leaves the last play up to a minute older.
 */
@ApplicationScoped
public class PlayedRecordings {

    private static final int MAX_BACKLOG = 1_000;
    private static final int MAX_REMEMBERED = 100_000;
    private static final long RESOLUTION_NANOS = StoredRecordings.PLAYED_RESOLUTION.toNanos();

    private final StoredRecordings storedRecordings;
    private final Map<String, Long> askedAtNanos = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_BACKLOG), runnable -> {
                Thread thread = new Thread(runnable, "last-played");
                thread.setDaemon(true);
                return thread;
            });

    public PlayedRecordings(StoredRecordings storedRecordings) {
        this.storedRecordings = storedRecordings;
    }

    /** The recording was served (a stream or download, GET or HEAD, bearer or signed URL). Never blocks. */
    public void served(long businessId, String callSid) {
        String key = RecordingEvents.Event.key(businessId, callSid);
        long now = System.nanoTime();
        Long asked = askedAtNanos.get(key);
        if (asked != null && now - asked < RESOLUTION_NANOS) {
            return;
        }
        if (askedAtNanos.size() >= MAX_REMEMBERED) {
            askedAtNanos.clear();
        }
        askedAtNanos.put(key, now);
        try {
            writer.execute(() -> write(businessId, callSid));
        } catch (RejectedExecutionException e) {
            askedAtNanos.remove(key, now);
            Log.debugf("last play of call %s not written: the writer's backlog is full", callSid);
        }
    }

    private void write(long businessId, String callSid) {
        try {
            storedRecordings.played(businessId, callSid);
        } catch (RuntimeException e) {
            Log.debugf("last play of call %s not written: %s", callSid, e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        writer.shutdown();
    }
}
