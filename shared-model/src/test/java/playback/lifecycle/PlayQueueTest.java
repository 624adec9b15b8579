package playback.lifecycle;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.lifecycle.LifecycleFixture.Recording;
import playback.lifecycle.LifecycleFixture.RowLock;
import playback.lifecycle.PlayQueue.Enqueued;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.model.FailureReason;
import playback.model.Lane;
import playback.model.RecordingRun;
import playback.model.RunStatus;
import playback.testing.TestDatabase;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs entering the queue, against the real database: a Play's enqueue, a prefetch's promotion, an operator's retry. */
@QuarkusTest
@QuarkusTestResource(value = TestDatabase.class, restrictToAnnotatedClass = false)
class PlayQueueTest {

    @Inject
    LifecycleFixture fixture;

    @Inject
    PlayQueue playQueue;

    @Test
    void anEnqueueQueuesOneRunAndTheRecording() {
        Recording recording = fixture.recording();
        long runId = playQueue.reserveRunId();
        assertEquals(Optional.empty(), playQueue.runStatus(runId), "a reserved id names no run yet");

        assertEquals(Enqueued.ENQUEUED, playQueue.enqueue(runId, recording.businessId(), recording.callSid()));
        CallLog call = fixture.call(recording);
        assertEquals(DownloadStatus.QUEUED, call.downloadStatus);
        assertTrue(call.lastEnqueueAt != null, "the Play's time is kept for the time to ready");
        RecordingRun run = fixture.run(runId);
        assertEquals(RunStatus.QUEUED, run.status);
        assertEquals(1, run.attempt);
        assertEquals(Optional.of(RunStatus.QUEUED), playQueue.runStatus(runId));

        assertEquals(Enqueued.REFUSED, playQueue.enqueue(playQueue.reserveRunId(), recording.businessId(),
                recording.callSid()), "a queued recording gets no second run");
        assertEquals(1, fixture.runs(recording).size());
    }

    @Test
    void twoConcurrentEnqueuesOfOneRecordingQueueOneRun() throws Exception {
        Recording recording = fixture.recording();
        long first = playQueue.reserveRunId();
        long second = playQueue.reserveRunId();
        List<Future<Enqueued>> enqueues;
        try (RowLock ignored = fixture.lockCall(recording)) {
            enqueues = fixture.start(List.<Callable<Enqueued>>of(
                    () -> playQueue.enqueue(first, recording.businessId(), recording.callSid()),
                    () -> playQueue.enqueue(second, recording.businessId(), recording.callSid())));
            fixture.awaitLockWaits(2);
        }
        List<Enqueued> outcomes = List.of(enqueues.get(0).get(), enqueues.get(1).get());
        assertEquals(1, outcomes.stream().filter(outcome -> outcome == Enqueued.ENQUEUED).count(), outcomes.toString());
        assertEquals(1, fixture.activeRuns(recording));
    }

    /**
     * The state the enqueue read is re-checked under the call's row lock: a download that became ready
     * while the enqueue waited for the lock is not queued again.
     */
    @Test
    void anEnqueueWaitingForTheRowLockSeesTheRecordingBecomeReadyAndQueuesNothing() throws Exception {
        Recording recording = fixture.recording();
        long runId = playQueue.reserveRunId();
        Future<Enqueued> enqueue;
        try (RowLock lock = fixture.lockCall(recording)) {
            lock.update("""
                    update call_logs set recording_download_status = 'ready', recording_storage_key = 'k',
                        recording_size_bytes = 10, recording_last_played_at = now() where id = ?""", recording.callId());
            enqueue = fixture.start(List.<Callable<Enqueued>>of(
                    () -> playQueue.enqueue(runId, recording.businessId(), recording.callSid()))).get(0);
            fixture.awaitLockWaits(1);
        }
        assertEquals(Enqueued.REFUSED, enqueue.get());
        assertEquals(DownloadStatus.READY, fixture.call(recording).downloadStatus);
        assertEquals(List.of(), fixture.runs(recording));
    }

    /** The partial unique index on active runs refuses a second one even where the call's row would allow it. */
    @Test
    void anActiveRunRefusesAnotherWhateverTheRecordingSays() {
        Recording recording = fixture.recording();
        long existing = playQueue.reserveRunId();
        fixture.sql("insert into recording_runs (id, business_id, call_sid, status, attempt) values (?1, ?2, ?3, 'running', 1)",
                existing, recording.businessId(), recording.callSid());

        assertEquals(Enqueued.REFUSED, playQueue.enqueue(playQueue.reserveRunId(), recording.businessId(),
                recording.callSid()));
        assertEquals(1, fixture.activeRuns(recording));
        assertEquals(DownloadStatus.MISSING, fixture.call(recording).downloadStatus, "the recording is not touched");
    }

    @Test
    void aFailedRecordingIsRefusedInsideItsBackoffAndWhenTheProviderLostIt() {
        Recording backingOff = fixture.recording();
        fixture.sql("""
                update call_logs set recording_download_status = 'failed', recording_error = ?2,
                    recording_next_retry_at = now() + interval '1 hour' where id = ?1""",
                backingOff.callId(), FailureReason.TIMEOUT.code());
        assertEquals(Enqueued.REFUSED, playQueue.enqueue(playQueue.reserveRunId(), backingOff.businessId(),
                backingOff.callSid()));

        Recording lost = fixture.recording();
        fixture.sql("update call_logs set recording_download_status = 'failed', recording_error = ?2 where id = ?1",
                lost.callId(), FailureReason.PROVIDER_NOT_FOUND.code());
        assertEquals(Enqueued.REFUSED, playQueue.enqueue(playQueue.reserveRunId(), lost.businessId(), lost.callSid()));

        fixture.sql("update call_logs set recording_next_retry_at = now() - interval '1 second' where id = ?1",
                backingOff.callId());
        assertEquals(Enqueued.ENQUEUED, playQueue.enqueue(playQueue.reserveRunId(), backingOff.businessId(),
                backingOff.callSid()), "after the backoff a Play downloads it again");
        assertNull(fixture.call(backingOff).error);
    }

    @Test
    void aWaitingPrefetchIsPromotedToTheInteractiveLaneOnceAndCounted() {
        Recording recording = fixture.recording();
        assertEquals(0, playQueue.backgroundRunsToday(recording.businessId()));
        long runId = playQueue.reserveRunId();
        assertEquals(Enqueued.ENQUEUED, playQueue.enqueue(runId, recording.businessId(), recording.callSid(),
                Lane.BACKGROUND));
        assertEquals(1, playQueue.backgroundRunsToday(recording.businessId()));

        assertEquals(Optional.of(runId), playQueue.promote(recording.businessId(), recording.callSid()));
        assertEquals(Optional.empty(), playQueue.promote(recording.businessId(), recording.callSid()),
                "an interactive run is not promoted again");
        assertEquals(0, playQueue.backgroundRunsToday(recording.businessId()));
    }

    @Test
    void aRetryNowStartsANewCycleForAFailedRecordingAndMakesAPendingRetryDue() {
        Recording failed = fixture.recording();
        fixture.sql("""
                update call_logs set recording_download_status = 'failed', recording_error = ?2, recording_fail_count = 5,
                    recording_next_retry_at = now() + interval '1 hour' where id = ?1""",
                failed.callId(), FailureReason.PROVIDER_NOT_FOUND.code());
        long runId = playQueue.reserveRunId();
        PlayQueue.NewCycle cycle = assertInstanceOf(PlayQueue.NewCycle.class,
                playQueue.retryNow(runId, failed.businessId(), failed.callSid()));
        assertEquals(runId, cycle.runId());
        CallLog queued = fixture.call(failed);
        assertEquals(DownloadStatus.QUEUED, queued.downloadStatus);
        assertNull(queued.error);
        assertNull(queued.nextRetryAt);

        Recording waiting = fixture.recording();
        long retry = playQueue.reserveRunId();
        fixture.sql("""
                insert into recording_runs (id, business_id, call_sid, status, attempt, not_before)
                values (?1, ?2, ?3, 'queued', 2, now() + interval '1 hour')""", retry, waiting.businessId(), waiting.callSid());
        fixture.sql("""
                update call_logs set recording_download_status = 'queued', recording_error = ?2,
                    recording_next_retry_at = now() + interval '1 hour' where id = ?1""",
                waiting.callId(), FailureReason.TIMEOUT.code());
        PlayQueue.RetryDue due = assertInstanceOf(PlayQueue.RetryDue.class,
                playQueue.retryNow(playQueue.reserveRunId(), waiting.businessId(), waiting.callSid()));
        assertEquals(retry, due.runId());
        assertEquals(FailureReason.TIMEOUT.code(), fixture.call(waiting).error, "the last error stays until it is retried");
        assertInstanceOf(PlayQueue.NotRetryable.class,
                playQueue.retryNow(playQueue.reserveRunId(), waiting.businessId(), waiting.callSid()),
                "a retry already due is not retried again");
        assertInstanceOf(PlayQueue.NotRetryable.class,
                playQueue.retryNow(playQueue.reserveRunId(), fixture.recording().businessId(), "CAunknown"));
        assertNotEquals(DownloadStatus.FAILED, fixture.call(waiting).downloadStatus);
    }
}
