package playback.lifecycle;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.lifecycle.LifecycleFixture.Recording;
import playback.lifecycle.RunRecovery.LostRun;
import playback.model.BackoffPolicy;
import playback.model.DownloadStatus;
import playback.model.FailureReason;
import playback.model.RecordingRun;
import playback.model.RunStatus;
import playback.queue.DownloadJob;
import playback.testing.TestDatabase;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker's sweep, against the real database: lost runs failed, unpushed runs handed back. */
@QuarkusTest
@QuarkusTestResource(value = TestDatabase.class, restrictToAnnotatedClass = false)
class RunRecoveryTest {

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Duration GRACE = Duration.ofMinutes(1);
    /** Every row the database has: earlier runs of these tests may have left lost or unpushed runs. */
    private static final int ALL = 100_000;
    private static final BackoffPolicy BACKOFF = new BackoffPolicy(List.of(Duration.ofSeconds(30)));

    @Inject
    LifecycleFixture fixture;

    @Inject
    RunRecovery recovery;

    @Inject
    DownloadRuns runs;

    @Test
    void aRunWhoseHolderStoppedRenewingPastTheGraceIsSweptAndRetried() {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        assertInstanceOf(DownloadRuns.Claimed.class, runs.claim(job.runId(), "worker-1", LEASE, LifecycleFixture.SLOTS));
        fixture.sql("update recording_runs set lease_until = now() - interval '30 seconds' where id = ?1", job.runId());
        assertFalse(lost(job).isPresent(), "inside the grace the holder may still renew");

        fixture.sql("update recording_runs set lease_until = now() - interval '1 hour' where id = ?1", job.runId());
        LostRun lost = lost(job).orElseThrow();
        FailOutcome.RetryQueued retry = assertInstanceOf(FailOutcome.RetryQueued.class, recovery.sweep(lost, BACKOFF));
        RecordingRun swept = fixture.run(job.runId());
        assertEquals(RunStatus.FAILED, swept.status);
        assertEquals(FailureReason.WORKER_LOST.code(), swept.error);
        assertEquals(RunStatus.QUEUED, fixture.run(retry.nextRunId().orElseThrow()).status);
        assertEquals(DownloadStatus.QUEUED, fixture.call(recording).downloadStatus);
        assertFalse(lost(job).isPresent());
    }

    /** A lost run taken over between the sweep's read and its write keeps its new holder (the fence moved on). */
    @Test
    void aSweepOfARunTakenOverMeanwhileWritesNothing() {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        assertInstanceOf(DownloadRuns.Claimed.class, runs.claim(job.runId(), "worker-1", LEASE, LifecycleFixture.SLOTS));
        fixture.sql("update recording_runs set lease_until = now() - interval '1 hour' where id = ?1", job.runId());
        LostRun lost = lost(job).orElseThrow();
        DownloadRuns.Claimed takeOver = assertInstanceOf(DownloadRuns.Claimed.class,
                runs.claim(job.runId(), "worker-2", LEASE, LifecycleFixture.SLOTS));

        assertInstanceOf(RunLost.class, recovery.sweep(lost, BACKOFF));
        RecordingRun run = fixture.run(job.runId());
        assertEquals(RunStatus.RUNNING, run.status);
        assertEquals(takeOver.fence(), run.fence);
        assertEquals(DownloadStatus.DOWNLOADING, fixture.call(recording).downloadStatus);
        assertEquals(1, fixture.runs(recording).size());
    }

    @Test
    void aQueuedRunRedisLostIsHandedBackOnce() {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        assertFalse(handedBack(job), "a run pushed just now is left to its stream");

        fixture.sql("update recording_runs set pushed_at = now() - interval '1 hour', not_before = now() - interval '1 hour'"
                + " where id = ?1", job.runId());
        assertTrue(handedBack(job));
        assertFalse(handedBack(job), "marked pushed when handed back");
    }

    @Test
    void aRunWhosePushFailedIsHandedBackAtTheNextSweep() {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        recovery.pushFailed(job.runId());
        assertTrue(handedBack(job), "without waiting for the orphan delay");
        assertFalse(handedBack(job), "marked pushed when handed back");
    }

    /** After Redis lost its data, every queued run comes back from PostgreSQL: due ones now, the others when due. */
    @Test
    void everyQueuedRunIsHandedBackWithTheTimeUntilItIsDue() {
        DownloadJob due = fixture.enqueue(fixture.recording());
        DownloadJob later = fixture.enqueue(fixture.recording());
        fixture.sql("update recording_runs set not_before = now() + interval '1 hour' where id = ?1", later.runId());
        DownloadJob running = fixture.enqueue(fixture.recording());
        assertInstanceOf(DownloadRuns.Claimed.class, runs.claim(running.runId(), "worker-1", LEASE, LifecycleFixture.SLOTS));

        List<RunRecovery.QueuedRun> queued = recovery.takeAllQueued(ALL);
        RunRecovery.QueuedRun now = queued.stream().filter(run -> run.job().runId() == due.runId()).findFirst().orElseThrow();
        RunRecovery.QueuedRun afterAnHour = queued.stream().filter(run -> run.job().runId() == later.runId())
                .findFirst().orElseThrow();
        assertEquals(Duration.ZERO, now.dueIn());
        assertTrue(afterAnHour.dueIn().compareTo(Duration.ofMinutes(59)) > 0, afterAnHour.dueIn().toString());
        assertFalse(queued.stream().anyMatch(run -> run.job().runId() == running.runId()), "a running run is no job to push");
        assertEquals(due.callSid(), now.job().callSid());
    }

    private boolean handedBack(DownloadJob job) {
        return recovery.takeUnpushed(GRACE, ALL).stream().anyMatch(taken -> taken.runId() == job.runId());
    }

    private Optional<LostRun> lost(DownloadJob job) {
        return recovery.lostRuns(GRACE, ALL).stream().filter(lost -> lost.job().runId() == job.runId()).findFirst();
    }
}
