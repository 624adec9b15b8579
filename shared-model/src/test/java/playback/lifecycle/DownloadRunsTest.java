package playback.lifecycle;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.lifecycle.DownloadRuns.Claimed;
import playback.lifecycle.DownloadRuns.Lease;
import playback.lifecycle.DownloadRuns.Progress;
import playback.lifecycle.LifecycleFixture.Recording;
import playback.lifecycle.LifecycleFixture.RowLock;
import playback.model.BackoffPolicy;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.model.FailureReason;
import playback.model.Lane;
import playback.model.RecordingRun;
import playback.model.RunStatus;
import playback.queue.DownloadJob;
import playback.testing.TestDatabase;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A worker's download of a run, against the real database: claim, lease, progress, and the end it commits. */
@QuarkusTest
@QuarkusTestResource(value = TestDatabase.class, restrictToAnnotatedClass = false)
class DownloadRunsTest {

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final BackoffPolicy BACKOFF = new BackoffPolicy(List.of(Duration.ofSeconds(30), Duration.ofSeconds(60)));

    @Inject
    LifecycleFixture fixture;

    @Inject
    DownloadRuns runs;

    /**
     * However many slots Redis hands out (it may have lost leases in a failover), a business never has more
     * downloads running than its limit: a claim over it is refused until a running one ends or its lease lapses.
     */
    @Test
    void aBusinessAtItsLimitClaimsNoMoreWhateverRedisAdmits() {
        Recording first = fixture.recording();
        List<DownloadJob> jobs = new ArrayList<>();
        jobs.add(fixture.enqueue(first));
        for (int i = 1; i <= LifecycleFixture.SLOTS; i++) {
            jobs.add(fixture.enqueue(fixture.anotherOf(first)));
        }
        List<Claimed> claims = new ArrayList<>();
        for (int i = 0; i < LifecycleFixture.SLOTS; i++) {
            claims.add(assertInstanceOf(Claimed.class, runs.claim(jobs.get(i).runId(), "worker-1", LEASE,
                    LifecycleFixture.SLOTS)));
        }
        DownloadJob over = jobs.get(LifecycleFixture.SLOTS);
        DownloadRuns.AtLimit atLimit = assertInstanceOf(DownloadRuns.AtLimit.class,
                runs.claim(over.runId(), "worker-2", LEASE, LifecycleFixture.SLOTS));
        assertEquals(LifecycleFixture.SLOTS, atLimit.running());
        assertEquals(RunStatus.QUEUED, fixture.run(over.runId()).status, "the refused run stays queued");

        fixture.sql("update recording_runs set lease_until = now() - interval '1 second' where id = ?1",
                jobs.get(0).runId());
        assertInstanceOf(Claimed.class, runs.claim(over.runId(), "worker-2", LEASE, LifecycleFixture.SLOTS),
                "a run whose holder stopped renewing no longer counts");
        assertEquals(DownloadRuns.Lease.RENEWED, runs.renew(jobs.get(1).runId(), claims.get(1).fence(), LEASE));
    }

    /** Claims of one business racing for its last slot: exactly one wins (the advisory lock serialises them). */
    @Test
    void claimsRacingForTheLastSlotOfABusinessAdmitOne() throws Exception {
        Recording first = fixture.recording();
        List<DownloadJob> jobs = new ArrayList<>();
        jobs.add(fixture.enqueue(first));
        for (int i = 1; i < 8; i++) {
            jobs.add(fixture.enqueue(fixture.anotherOf(first)));
        }
        List<Callable<DownloadRuns.ClaimOutcome>> racing = jobs.stream()
                .<Callable<DownloadRuns.ClaimOutcome>>map(job -> () -> runs.claim(job.runId(), "worker-" + job.runId(),
                        LEASE, 1))
                .toList();
        long won = 0;
        for (Future<DownloadRuns.ClaimOutcome> outcome : fixture.start(racing)) {
            won += outcome.get() instanceof Claimed ? 1 : 0;
        }
        assertEquals(1, won);
    }

    @Test
    void aClaimedRunDownloadsAndItsSuccessMakesTheRecordingReady() {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        assertEquals(RecordingRules.Delivery.CLAIM, runs.run(job.runId()).orElseThrow().decide());

        Claimed claim = assertInstanceOf(Claimed.class, runs.claim(job.runId(), "worker-1", LEASE, LifecycleFixture.SLOTS));
        assertEquals(recording.recordingSid(), claim.recordingSid());
        assertInstanceOf(DownloadRuns.NotClaimed.class, runs.claim(job.runId(), "worker-2", LEASE, LifecycleFixture.SLOTS),
                "a run held under a live lease is not claimed twice");
        assertEquals(RecordingRules.Delivery.DROP, runs.run(job.runId()).orElseThrow().decide());
        assertEquals(DownloadStatus.DOWNLOADING, fixture.call(recording).downloadStatus);

        assertEquals(Lease.RENEWED, runs.renew(job.runId(), claim.fence(), LEASE));
        assertEquals(Progress.RECORDED, runs.progress(job, claim.fence(), 400, 1000L));
        assertEquals(Optional.empty(), runs.liveSource(recording.businessId(), recording.callSid()));
        URI live = URI.create("http://worker-1.internal:8081/live/" + job.runId());
        assertEquals(Progress.RECORDED, runs.playable(job, claim.fence(), live));
        assertEquals(Optional.of(live), runs.liveSource(recording.businessId(), recording.callSid()));
        CallLog downloading = fixture.call(recording);
        assertEquals(400, downloading.progressBytes);
        assertEquals(1000L, downloading.progressTotal);

        AtomicInteger filesCommitted = new AtomicInteger();
        DownloadRuns.Committed committed = assertInstanceOf(DownloadRuns.Committed.class, runs.succeed(job, claim.fence(),
                "1/call.mp3", 1000, "audio/mpeg", filesCommitted::incrementAndGet));
        assertTrue(committed.sinceEnqueue().isPresent(), "the time since the Play is measured");
        assertEquals(1, filesCommitted.get());
        CallLog ready = fixture.call(recording);
        assertEquals(DownloadStatus.READY, ready.downloadStatus);
        assertEquals("1/call.mp3", ready.storageKey);
        assertEquals(1000L, ready.sizeBytes);
        assertTrue(ready.lastPlayedAt != null, "becoming ready counts as a play");
        assertEquals(RunStatus.SUCCEEDED, fixture.run(job.runId()).status);
        assertEquals(Optional.empty(), runs.liveSource(recording.businessId(), recording.callSid()),
                "a stored recording is read from the store");
    }

    /** After a take-over the first worker's fence is stale: nothing it reports or commits is written. */
    @Test
    void aStaleFenceWritesNothingAfterATakeOver() {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        Claimed first = assertInstanceOf(Claimed.class, runs.claim(job.runId(), "worker-1", LEASE, LifecycleFixture.SLOTS));
        fixture.sql("update recording_runs set lease_until = now() - interval '1 second' where id = ?1", job.runId());
        Claimed second = assertInstanceOf(Claimed.class, runs.claim(job.runId(), "worker-2", LEASE, LifecycleFixture.SLOTS),
                "a run whose holder stopped renewing is taken over");
        assertEquals(first.fence() + 1, second.fence());

        AtomicInteger filesCommitted = new AtomicInteger();
        assertEquals(Lease.LOST, runs.renew(job.runId(), first.fence(), LEASE));
        assertEquals(Progress.STALE, runs.progress(job, first.fence(), 700, 1000L));
        assertEquals(Progress.STALE, runs.playable(job, first.fence(), URI.create("http://worker-1.internal/live")));
        assertInstanceOf(RunLost.class, runs.succeed(job, first.fence(), "stale.mp3", 1000, "audio/mpeg",
                filesCommitted::incrementAndGet));
        assertInstanceOf(RunLost.class, runs.fail(job, first.fence(), FailureReason.TIMEOUT, null, null, BACKOFF));
        assertEquals(DownloadRuns.Released.NOT_OURS, runs.release(job, first.fence()));

        assertEquals(0, filesCommitted.get(), "the stale worker's file is not put in place");
        RecordingRun run = fixture.run(job.runId());
        assertEquals(RunStatus.RUNNING, run.status);
        assertEquals("worker-2", run.worker);
        assertEquals(second.fence(), run.fence);
        CallLog call = fixture.call(recording);
        assertEquals(DownloadStatus.DOWNLOADING, call.downloadStatus);
        assertEquals(0, call.progressBytes);
        assertNull(call.storageKey);
        assertEquals(Optional.empty(), runs.liveSource(recording.businessId(), recording.callSid()));

        assertInstanceOf(DownloadRuns.Committed.class, runs.succeed(job, second.fence(), "fresh.mp3", 1000, "audio/mpeg",
                filesCommitted::incrementAndGet));
        assertEquals("fresh.mp3", fixture.call(recording).storageKey);
    }

    /** A success and a failure of one run at once (same fence): its row serialises them and one ends the run. */
    @Test
    void aSuccessAndAFailureOfOneRunAtOnceEndItOnce() throws Exception {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        Claimed claim = assertInstanceOf(Claimed.class, runs.claim(job.runId(), "worker-1", LEASE, LifecycleFixture.SLOTS));
        List<Future<Object>> ends;
        try (RowLock ignored = fixture.lockRun(job.runId())) {
            ends = fixture.start(List.<Callable<Object>>of(
                    () -> runs.succeed(job, claim.fence(), "1/call.mp3", 1000, "audio/mpeg", () -> { }),
                    () -> runs.fail(job, claim.fence(), FailureReason.TIMEOUT, null, null, BACKOFF)));
            fixture.awaitLockWaits(2);
        }
        List<Object> outcomes = List.of(ends.get(0).get(), ends.get(1).get());
        assertEquals(1, outcomes.stream().filter(outcome -> outcome instanceof RunLost).count(), outcomes.toString());
        RecordingRun run = fixture.run(job.runId());
        DownloadStatus status = fixture.call(recording).downloadStatus;
        if (outcomes.get(0) instanceof DownloadRuns.Committed) {
            assertEquals(RunStatus.SUCCEEDED, run.status);
            assertEquals(DownloadStatus.READY, status);
        } else {
            assertEquals(RunStatus.FAILED, run.status);
            assertEquals(DownloadStatus.QUEUED, status);
        }
        assertEquals(status == DownloadStatus.READY ? 0 : 1, fixture.activeRuns(recording));
    }

    @Test
    void aFileThatCannotBePutInPlaceRollsTheSuccessBack() {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        Claimed claim = assertInstanceOf(Claimed.class, runs.claim(job.runId(), "worker-1", LEASE, LifecycleFixture.SLOTS));
        DownloadRuns.StorageFailed failed = assertInstanceOf(DownloadRuns.StorageFailed.class, runs.succeed(job,
                claim.fence(), "1/call.mp3", 1000, "audio/mpeg", () -> {
                    throw new IOException("disk full");
                }));
        assertEquals("disk full", failed.cause().getMessage());
        assertEquals(RunStatus.RUNNING, fixture.run(job.runId()).status);
        CallLog call = fixture.call(recording);
        assertEquals(DownloadStatus.DOWNLOADING, call.downloadStatus);
        assertNull(call.storageKey);
    }

    @Test
    void aFailureQueuesTheNextAttemptAfterItsDelayUntilTheBackoffRunsOut() {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        for (int attempt = 1; attempt <= BACKOFF.maxAttempts(); attempt++) {
            Claimed claim = assertInstanceOf(Claimed.class, runs.claim(job.runId(), "worker-1", LEASE, LifecycleFixture.SLOTS),
                    "attempt " + attempt);
            FailOutcome outcome = runs.fail(job, claim.fence(), FailureReason.PROVIDER_UNAVAILABLE, 503, null, BACKOFF);
            RecordingRun failedRun = fixture.run(job.runId());
            assertEquals(RunStatus.FAILED, failedRun.status);
            assertEquals(503, failedRun.httpStatus);
            CallLog call = fixture.call(recording);
            assertEquals(attempt, call.failCount);
            assertEquals(FailureReason.PROVIDER_UNAVAILABLE.code(), call.error);
            if (attempt == BACKOFF.maxAttempts()) {
                assertInstanceOf(FailOutcome.RecordingFailed.class, outcome);
                assertEquals(DownloadStatus.FAILED, call.downloadStatus);
                assertEquals(0, fixture.activeRuns(recording));
                return;
            }
            FailOutcome.RetryQueued retry = assertInstanceOf(FailOutcome.RetryQueued.class, outcome);
            assertEquals(BACKOFF.delayAfter(attempt), retry.delay());
            assertEquals(Lane.INTERACTIVE, retry.lane());
            assertEquals(DownloadStatus.QUEUED, call.downloadStatus);
            RecordingRun next = fixture.run(retry.nextRunId().orElseThrow());
            assertEquals(attempt + 1, next.attempt);
            assertTrue(next.notBefore.isAfter(Instant.now().plus(BACKOFF.delayAfter(attempt)).minusSeconds(5)));
            assertInstanceOf(DownloadRuns.NotClaimed.class, runs.claim(next.id, "worker-1", LEASE, LifecycleFixture.SLOTS), "not due yet");
            fixture.sql("update recording_runs set not_before = now() where id = ?1", next.id);
            job = LifecycleFixture.job(recording, next.id);
        }
    }

    @Test
    void aRecordingTheProviderLostFailsAtOnce() {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        Claimed claim = assertInstanceOf(Claimed.class, runs.claim(job.runId(), "worker-1", LEASE, LifecycleFixture.SLOTS));
        assertInstanceOf(FailOutcome.RecordingFailed.class,
                runs.fail(job, claim.fence(), FailureReason.PROVIDER_NOT_FOUND, 404, null, BACKOFF));
        CallLog call = fixture.call(recording);
        assertEquals(DownloadStatus.FAILED, call.downloadStatus);
        assertNull(call.nextRetryAt, "no window: the provider will not have it later either");
    }

    @Test
    void aReleasedRunIsQueuedAgainAndANewClaimMovesTheFenceOn() {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        Claimed claim = assertInstanceOf(Claimed.class, runs.claim(job.runId(), "worker-1", LEASE, LifecycleFixture.SLOTS));
        assertEquals(DownloadRuns.Released.RELEASED, runs.release(job, claim.fence()));
        RecordingRun released = fixture.run(job.runId());
        assertEquals(RunStatus.QUEUED, released.status);
        assertNull(released.worker);
        assertEquals(DownloadStatus.QUEUED, fixture.call(recording).downloadStatus);

        Claimed again = assertInstanceOf(Claimed.class, runs.claim(job.runId(), "worker-2", LEASE, LifecycleFixture.SLOTS));
        assertEquals(claim.fence() + 1, again.fence());
        assertEquals(DownloadRuns.Released.NOT_OURS, runs.release(job, claim.fence()));
    }

    @Test
    void aSupersededRunsLeaseIsNotRenewed() {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        Claimed claim = assertInstanceOf(Claimed.class, runs.claim(job.runId(), "worker-1", LEASE, LifecycleFixture.SLOTS));
        fixture.sql("update recording_runs set status = 'superseded', lease_until = null where id = ?1", job.runId());
        assertEquals(Lease.SUPERSEDED, runs.renew(job.runId(), claim.fence(), LEASE));
    }
}
