package playback.lifecycle;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import playback.lifecycle.RecordingRules.RecordingChange;
import playback.model.DownloadStatus;
import playback.queue.RecordingEvents;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import static playback.lifecycle.LifecycleSql.in;
import static playback.lifecycle.LifecycleSql.seconds;
import static playback.lifecycle.LifecycleSql.tuples;

/**
 * Ready recordings and their files: a file the api finds gone, the last play that retention orders by,
 * the stored size it budgets, and the eviction that drops a recording nobody played for a while.
 */
@ApplicationScoped
public class StoredRecordings {

    private final EntityManager db;
    private final RecordingEvents events;

    public StoredRecordings(EntityManager db, RecordingEvents events) {
        this.db = db;
        this.events = events;
    }

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
}
