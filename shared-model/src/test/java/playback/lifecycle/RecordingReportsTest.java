package playback.lifecycle;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.lifecycle.LifecycleFixture.Recording;
import playback.lifecycle.LifecycleFixture.RowLock;
import playback.lifecycle.RecordingReports.Reported;
import playback.lifecycle.RecordingReports.ReportedRecording;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.model.RunStatus;
import playback.queue.DownloadJob;
import playback.testing.TestDatabase;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The provider's recording reports, against the real database: first, replayed, and replaced recordings. */
@QuarkusTest
@QuarkusTestResource(value = TestDatabase.class, restrictToAnnotatedClass = false)
class RecordingReportsTest {

    private static final Duration LEASE = Duration.ofMinutes(5);

    @Inject
    LifecycleFixture fixture;

    @Inject
    RecordingReports reports;

    @Inject
    DownloadRuns runs;

    @Test
    void aReportIsRecordedOnceAndItsReplaysChangeNothing() {
        Recording business = fixture.recording();
        String callSid = LifecycleFixture.sid("CA");
        ReportedRecording report = new ReportedRecording(callSid, LifecycleFixture.sid("RE"), "https://provider/r.mp3",
                "completed", 42, 2);
        assertEquals(Reported.FIRST, reports.recordingReported(business.businessId(), report));
        assertEquals(Reported.SAME, reports.recordingReported(business.businessId(),
                new ReportedRecording(callSid, report.recordingSid(), null, "completed", null, null)));

        CallLog call = fixture.call(new Recording(business.businessId(), 0, callSid, report.recordingSid()));
        assertEquals(report.recordingSid(), call.recordingSid);
        assertEquals(42, call.recordingDurationSeconds, "a replay without a duration keeps the one reported");
        assertEquals(2, call.recordingChannels);
        assertEquals(DownloadStatus.MISSING, call.downloadStatus);
    }

    /** A new recording SID supersedes the old one's run: its worker's fence is then stale and its success lost. */
    @Test
    void aNewRecordingStartsOverAndSupersedesTheRunningDownload() {
        Recording recording = fixture.recording();
        DownloadJob job = fixture.enqueue(recording);
        DownloadRuns.Claimed claim = assertInstanceOf(DownloadRuns.Claimed.class, runs.claim(job.runId(), "worker-1", LEASE, LifecycleFixture.SLOTS));
        runs.progress(job, claim.fence(), 500, 1000L);

        String newRecordingSid = LifecycleFixture.sid("RE");
        assertEquals(Reported.REPLACED, reports.recordingReported(recording.businessId(),
                new ReportedRecording(recording.callSid(), newRecordingSid, null, "completed", 58, 1)));

        assertEquals(RunStatus.SUPERSEDED, fixture.run(job.runId()).status);
        CallLog call = fixture.call(recording);
        assertEquals(DownloadStatus.MISSING, call.downloadStatus, "the new recording waits for a Play");
        assertEquals(newRecordingSid, call.recordingSid);
        assertEquals(0, call.progressBytes);
        assertEquals(DownloadRuns.Lease.SUPERSEDED, runs.renew(job.runId(), claim.fence(), LEASE));
        assertInstanceOf(RunLost.class, runs.succeed(job, claim.fence(), "old.mp3", 1000, "audio/mpeg", () -> { }));
        assertNull(fixture.call(recording).storageKey, "nothing of the old recording is stored");
    }

    /** Two deliveries of one new recording at once: the call's row lock makes the second see the first. */
    @Test
    void twoConcurrentReportsOfANewRecordingReplaceItOnce() throws Exception {
        Recording recording = fixture.recording();
        ReportedRecording report = new ReportedRecording(recording.callSid(), LifecycleFixture.sid("RE"), null,
                "completed", 58, 1);
        List<Future<Reported>> deliveries;
        try (RowLock ignored = fixture.lockCall(recording)) {
            deliveries = fixture.start(List.<Callable<Reported>>of(
                    () -> reports.recordingReported(recording.businessId(), report),
                    () -> reports.recordingReported(recording.businessId(), report)));
            fixture.awaitLockWaits(2);
        }
        List<Reported> outcomes = List.of(deliveries.get(0).get(), deliveries.get(1).get());
        assertEquals(1, outcomes.stream().filter(outcome -> outcome == Reported.REPLACED).count(), outcomes.toString());
        assertEquals(1, outcomes.stream().filter(outcome -> outcome == Reported.SAME).count(), outcomes.toString());
    }
}
