package playback.api.service;

import jakarta.enterprise.context.ApplicationScoped;
import playback.queue.RecordingEvents;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this api replica may answer without PostgreSQL for a moment: where a ready recording is stored
 * (a Range request of a playing {@code <audio>} then costs a map lookup and a stat, like a static file
 * server, or a map lookup and the ranged read of the object store), and the 202 of a recording already being downloaded (a burst of Plays answers from memory).
 * Entries are short-lived and dropped by the recording events every replica hears, so nothing is served
 * that PostgreSQL no longer says, beyond a second or two after a dev reset.
 */
@ApplicationScoped
public class RecordingCache {

    static final Duration READY_TTL = Duration.ofSeconds(10);
    static final Duration PENDING_TTL = Duration.ofSeconds(1);
    private static final int MAX_ENTRIES = 50_000;

    private final Map<String, Ready> ready = new ConcurrentHashMap<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** A ready recording's file and the recording SID its signed URLs are bound to. */
    public record Ready(String recordingSid, StoredRecording file, long expiresAtNanos) {
    }

    /** The answer to a Play while the download is queued or running. */
    public record Pending(RecordingStatusView status, Duration retryAfter, long expiresAtNanos) {
    }

    public Optional<Ready> ready(long businessId, String callSid) {
        String key = RecordingEvents.Event.key(businessId, callSid);
        Ready entry = ready.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (System.nanoTime() - entry.expiresAtNanos() > 0 || !stillStored(entry.file())) {
            ready.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry);
    }

    public Optional<Pending> pending(long businessId, String callSid) {
        String key = RecordingEvents.Event.key(businessId, callSid);
        Pending entry = pending.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (System.nanoTime() - entry.expiresAtNanos() > 0) {
            pending.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry);
    }

    public void putReady(long businessId, String callSid, String recordingSid, StoredRecording file) {
        bound(ready);
        ready.put(RecordingEvents.Event.key(businessId, callSid),
                new Ready(recordingSid, file, System.nanoTime() + READY_TTL.toNanos()));
    }

    public void putPending(long businessId, String callSid, RecordingStatusView status, Duration retryAfter) {
        bound(pending);
        pending.put(RecordingEvents.Event.key(businessId, callSid),
                new Pending(status, retryAfter, System.nanoTime() + PENDING_TTL.toNanos()));
    }

    /** The recording changed (event from a worker, a webhook, or a reset). */
    public void invalidate(String key) {
        ready.remove(key);
        pending.remove(key);
    }

    public void clear() {
        ready.clear();
        pending.clear();
    }

    /**
     * A local file is checked at each hit (a stat); an object of a remote store is trusted for the entry's
     * few seconds, and a ranged read that finds it gone drops the entry.
     */
    private static boolean stillStored(StoredRecording file) {
        if (!(file.bytes() instanceof StoredRecording.LocalFile local)) {
            return true;
        }
        try {
            return Files.size(local.path()) == file.size();
        } catch (IOException e) {
            return false;
        }
    }

    private static void bound(Map<String, ?> map) {
        if (map.size() >= MAX_ENTRIES) {
            map.clear();
        }
    }
}
