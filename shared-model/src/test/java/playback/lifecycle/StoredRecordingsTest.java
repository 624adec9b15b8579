package playback.lifecycle;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.lifecycle.LifecycleFixture.Recording;
import playback.lifecycle.StoredRecordings.Evictable;
import playback.lifecycle.StoredRecordings.Evicted;
import playback.lifecycle.StoredRecordings.FileMissing;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.testing.TestDatabase;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stored recordings, against the real database: a file gone, last plays, and eviction. */
@QuarkusTest
@QuarkusTestResource(value = TestDatabase.class, restrictToAnnotatedClass = false)
class StoredRecordingsTest {

    private static final long SIZE = 4096;
    private static final Duration IDLE = Duration.ofDays(1);
    private static final int ALL = 100_000;

    @Inject
    LifecycleFixture fixture;

    @Inject
    StoredRecordings stored;

    @Inject
    PlayQueue playQueue;

    /** A ready recording last played two days ago. */
    private Recording ready() {
        Recording recording = fixture.recording();
        fixture.sql("""
                update call_logs set recording_download_status = 'ready', recording_storage_key = ?2,
                    recording_size_bytes = ?3, recording_content_type = 'audio/mpeg', recording_ready_at = now(),
                    recording_last_played_at = now() - interval '2 days' where id = ?1""",
                recording.callId(), recording.businessId() + "/" + recording.callSid() + ".mp3", SIZE);
        return recording;
    }

    private Evictable evictable(Recording recording) {
        return stored.playedBefore(IDLE, ALL).stream().filter(found -> found.callId() == recording.callId())
                .findFirst().orElseThrow();
    }

    @Test
    void aReadyRecordingWhoseFileIsGoneBecomesMissingOnce() {
        Recording recording = ready();
        assertEquals(FileMissing.MARKED_MISSING, stored.fileMissing(recording.callId()));
        CallLog call = fixture.call(recording);
        assertEquals(DownloadStatus.MISSING, call.downloadStatus);
        assertNull(call.storageKey);
        assertEquals(FileMissing.UNCHANGED, stored.fileMissing(recording.callId()), "another request got there first");
    }

    @Test
    void aPlayIsWrittenAtMostOncePerResolution() {
        Recording recording = ready();
        assertTrue(stored.played(recording.businessId(), recording.callSid()));
        assertFalse(stored.played(recording.businessId(), recording.callSid()), "within the resolution: not written");
        assertFalse(stored.played(fixture.recording().businessId(), recording.callSid()), "another business's call");
        Recording missing = fixture.recording();
        assertFalse(stored.played(missing.businessId(), missing.callSid()), "a recording not stored has no play");
    }

    @Test
    void anIdleRecordingIsEvictedAndItsFileDeletedBeforeTheCommit() {
        long before = stored.storedBytes();
        Recording recording = ready();
        assertEquals(before + SIZE, stored.storedBytes());
        Evictable idle = evictable(recording);
        assertEquals(SIZE, idle.sizeBytes());
        assertEquals(recording.businessId() + "/" + recording.callSid() + ".mp3", idle.storageKey());

        AtomicInteger deleted = new AtomicInteger();
        assertEquals(Evicted.EVICTED, stored.evict(idle, deleted::incrementAndGet));
        assertEquals(1, deleted.get());
        CallLog call = fixture.call(recording);
        assertEquals(DownloadStatus.MISSING, call.downloadStatus);
        assertNull(call.storageKey);
        assertEquals(before, stored.storedBytes());
        assertEquals(Evicted.UNCHANGED, stored.evict(idle, deleted::incrementAndGet), "no longer ready");
        assertEquals(1, deleted.get());
    }

    /** The eviction compares the last play it read: a Play in between keeps the recording. */
    @Test
    void aRecordingPlayedSinceTheEvictorReadItStays() {
        Recording recording = ready();
        Evictable read = evictable(recording);
        assertTrue(stored.played(recording.businessId(), recording.callSid()));

        AtomicInteger deleted = new AtomicInteger();
        assertEquals(Evicted.UNCHANGED, stored.evict(read, deleted::incrementAndGet));
        assertEquals(0, deleted.get());
        assertEquals(DownloadStatus.READY, fixture.call(recording).downloadStatus);
        assertTrue(stored.playedBefore(IDLE, ALL).stream().noneMatch(found -> found.callId() == recording.callId()));
    }

    @Test
    void aFileThatCannotBeDeletedKeepsTheRecordingReady() {
        Recording recording = ready();
        assertEquals(Evicted.UNCHANGED, stored.evict(evictable(recording), () -> {
            throw new IOException("read-only store");
        }));
        CallLog call = fixture.call(recording);
        assertEquals(DownloadStatus.READY, call.downloadStatus);
        assertEquals(recording.businessId() + "/" + recording.callSid() + ".mp3", call.storageKey);
    }

    /**
     * A Play while the evictor deletes the file still reads the recording ready (the eviction is not
     * committed): no download is queued before the old file is gone. The next Play queues it.
     */
    @Test
    void aPlayDuringAnEvictionQueuesNothingUntilTheFileIsDeleted() {
        Recording recording = ready();
        AtomicInteger deleted = new AtomicInteger();
        assertEquals(Evicted.EVICTED, stored.evict(evictable(recording), () -> {
            assertEquals(PlayQueue.Enqueued.REFUSED, playQueue.enqueue(playQueue.reserveRunId(), recording.businessId(),
                    recording.callSid()));
            deleted.incrementAndGet();
        }));
        assertEquals(1, deleted.get());
        assertEquals(List.of(), fixture.runs(recording));
        assertEquals(PlayQueue.Enqueued.ENQUEUED, playQueue.enqueue(playQueue.reserveRunId(), recording.businessId(),
                recording.callSid()));
    }
}
