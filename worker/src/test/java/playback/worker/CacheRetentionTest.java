package playback.worker;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.lifecycle.StoredRecordings;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.queue.RedisKeys;
import playback.storage.RecordingStorage;
import playback.worker.retention.CacheEvictor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cache retention against the real database, Redis and store: idle recordings are evicted and fetched
 * again by the next Play, the budget drops the least recently played first, a recent Play protects a
 * recording, and a Play between the evictor's read and its eviction wins.
 */
@QuarkusTest
@QuarkusTestResource(ProviderStub.class)
class CacheRetentionTest {

    private static final Duration MAX_IDLE = Duration.ofDays(30);
    private static final Duration PROTECT = Duration.ofMinutes(10);
    private static final Duration LONG_AGO = Duration.ofDays(1000);
    private static final long SIZE = 1000;

    @Inject
    TestRecordings recordings;

    @Inject
    StoredRecordings storedRecordings;

    @Inject
    RecordingStorage storage;

    @Inject
    CacheEvictor evictor;

    @Inject
    RedisDataSource redis;

    @Test
    void anIdleRecordingIsEvictedAndTheNextPlayFetchesItAgain() throws Exception {
        TestRecordings.Recording call = recordings.business(1).get(0);
        ProviderStub.server().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(TestRecordings.mp3(10_000))));
        recordings.enqueue(call);
        await().atMost(Duration.ofSeconds(20)).until(() -> recordings.call(call).downloadStatus == DownloadStatus.READY);
        String key = recordings.call(call).storageKey;
        playedAgo(call, MAX_IDLE.plusDays(1));

        CacheEvictor.Run run = evictor.run(new CacheEvictor.Policy(MAX_IDLE, Optional.empty(), PROTECT)).orElseThrow();

        assertTrue(run.idle() >= 1, "the idle recording is counted");
        CallLog evicted = recordings.call(call);
        assertEquals(DownloadStatus.MISSING, evicted.downloadStatus);
        assertEquals(Optional.empty(), storage.size(key), "its file is deleted");

        recordings.enqueue(call);
        await().atMost(Duration.ofSeconds(20)).until(() -> recordings.call(call).downloadStatus == DownloadStatus.READY);
        assertEquals(Optional.of(10_000L), storage.size(key));
        ProviderStub.server().verify(2, getRequestedFor(urlPathEqualTo(call.providerPath())));
    }

    @Test
    void overTheBudgetTheLeastRecentlyPlayedGoFirstUntilItFits() throws Exception {
        // Recordings older than these, left by earlier runs, would be evicted first.
        evictor.run(new CacheEvictor.Policy(LONG_AGO.minusDays(100), Optional.empty(), PROTECT)).orElseThrow();
        List<TestRecordings.Recording> calls = recordings.business(3);
        stored(calls.get(0), LONG_AGO.plusHours(3));
        stored(calls.get(1), LONG_AGO.plusHours(2));
        stored(calls.get(2), LONG_AGO.plusHours(1));
        long budget = storedRecordings.storedBytes() - SIZE - SIZE / 2;

        CacheEvictor.Run run = evictor.run(new CacheEvictor.Policy(Duration.ofDays(3650), Optional.of(budget), PROTECT))
                .orElseThrow();

        assertEquals(2, run.overBudget());
        assertTrue(run.storedBytes() <= budget, run.storedBytes() + " stored, budget " + budget);
        assertEvicted(calls.get(0));
        assertEvicted(calls.get(1));
        assertStored(calls.get(2));
    }

    @Test
    void aRecordingPlayedWithinTheProtectWindowIsNeverEvicted() throws Exception {
        List<TestRecordings.Recording> calls = recordings.business(2);
        stored(calls.get(0), Duration.ofMinutes(1));
        stored(calls.get(1), Duration.ofHours(1));

        evictor.run(new CacheEvictor.Policy(Duration.ofSeconds(1), Optional.of(0L), PROTECT)).orElseThrow();

        assertStored(calls.get(0));
        assertEvicted(calls.get(1));
    }

    @Test
    void aPlayBetweenTheEvictorsReadAndItsEvictionWins() throws Exception {
        TestRecordings.Recording call = recordings.business(1).get(0);
        stored(call, MAX_IDLE.plusDays(1));
        StoredRecordings.Evictable read = evictable(recordings.call(call));

        assertTrue(storedRecordings.played(call.businessId(), call.callSid()), "the Play is written");
        assertEquals(StoredRecordings.Evicted.UNCHANGED, storedRecordings.evict(read, () -> storage.delete(read.storageKey())));
        assertStored(call);

        StoredRecordings.Evictable fresh = evictable(recordings.call(call));
        assertEquals(StoredRecordings.Evicted.EVICTED, storedRecordings.evict(fresh, () -> storage.delete(fresh.storageKey())));
        assertEvicted(call);
    }

    @Test
    void whileAnotherReplicaHoldsTheLockNothingIsEvicted() throws Exception {
        TestRecordings.Recording call = recordings.business(1).get(0);
        stored(call, MAX_IDLE.plusDays(1));
        redis.execute("SET", RedisKeys.EVICTOR_LOCK, "another-replica", "PX", "60000");
        try {
            assertEquals(Optional.empty(), evictor.run(new CacheEvictor.Policy(MAX_IDLE, Optional.empty(), PROTECT)));
            assertStored(call);
        } finally {
            redis.execute("DEL", RedisKeys.EVICTOR_LOCK);
        }
        evictor.run(new CacheEvictor.Policy(MAX_IDLE, Optional.empty(), PROTECT)).orElseThrow();
        assertEvicted(call);
    }

    @Test
    void everyReadyRecordingHasALastPlaySoThatTheEvictorSeesIt() {
        TestRecordings.Recording call = recordings.business(1).get(0);
        stored(call, Duration.ofDays(1));

        RuntimeException refused = assertThrows(RuntimeException.class, () -> recordings.sql(
                "update call_logs set recording_last_played_at = null where business_id = ?1 and call_sid = ?2",
                call.businessId(), call.callSid()));
        assertTrue(causes(refused).contains("call_logs_ready_has_last_play"), causes(refused));
    }

    private static String causes(Throwable thrown) {
        StringBuilder messages = new StringBuilder();
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            messages.append(cause.getMessage()).append('\n');
        }
        return messages.toString();
    }

    @Test
    void aPlayIsWrittenAtMostOnceAMinute() {
        TestRecordings.Recording call = recordings.business(1).get(0);
        stored(call, Duration.ofHours(1));

        assertTrue(storedRecordings.played(call.businessId(), call.callSid()));
        Instant written = recordings.call(call).lastPlayedAt;
        assertEquals(false, storedRecordings.played(call.businessId(), call.callSid()), "within the minute: not written");
        assertEquals(written, recordings.call(call).lastPlayedAt);
    }

    /** A ready recording with its file in the store, last played {@code ago}. */
    private void stored(TestRecordings.Recording call, Duration ago) {
        String key = RecordingStorage.keyFor(call.businessId(), call.callSid(), "mp3");
        try {
            Path temp = storage.createTempFile();
            Files.write(temp, TestRecordings.mp3((int) SIZE));
            storage.commit(temp, key);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        recordings.sql("""
                        update call_logs set recording_download_status = 'ready', recording_storage_key = ?3,
                            recording_size_bytes = ?4, recording_content_type = 'audio/mpeg', recording_ready_at = now(),
                            recording_last_played_at = now() - make_interval(secs => ?5)
                        where business_id = ?1 and call_sid = ?2""",
                call.businessId(), call.callSid(), key, SIZE, (double) ago.toSeconds());
    }

    private void playedAgo(TestRecordings.Recording call, Duration ago) {
        recordings.sql("""
                        update call_logs set recording_last_played_at = now() - make_interval(secs => ?3)
                        where business_id = ?1 and call_sid = ?2""", call.businessId(), call.callSid(),
                (double) ago.toSeconds());
    }

    private static StoredRecordings.Evictable evictable(CallLog call) {
        Instant played = call.lastPlayedAt;
        return new StoredRecordings.Evictable(call.id, call.businessId, call.callSid, call.storageKey, call.sizeBytes,
                played.getEpochSecond() * 1_000_000 + played.getNano() / 1000);
    }

    private void assertEvicted(TestRecordings.Recording recording) throws Exception {
        assertEquals(DownloadStatus.MISSING, recordings.call(recording).downloadStatus, recording.callSid());
        assertEquals(Optional.empty(), storage.size(RecordingStorage.keyFor(recording.businessId(), recording.callSid(),
                "mp3")), "file of " + recording.callSid());
    }

    private void assertStored(TestRecordings.Recording recording) throws Exception {
        assertEquals(DownloadStatus.READY, recordings.call(recording).downloadStatus, recording.callSid());
        assertEquals(Optional.of(SIZE), storage.size(RecordingStorage.keyFor(recording.businessId(), recording.callSid(),
                "mp3")), "file of " + recording.callSid());
    }
}
