package playback.lifecycle;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.lifecycle.LifecycleFixture.Recording;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.model.FailureReason;
import playback.testing.TestDatabase;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's reset, against the real database: every run forgotten, every recording missing, calls kept. */
@QuarkusTest
@QuarkusTestResource(value = TestDatabase.class, restrictToAnnotatedClass = false)
class DevResetTest {

    @Inject
    LifecycleFixture fixture;

    @Inject
    DevReset devReset;

    @Test
    void aResetForgetsEveryRunAndMakesEveryRecordingMissing() {
        Recording queued = fixture.recording();
        fixture.enqueue(queued);
        Recording failed = fixture.recording();
        fixture.sql("""
                update call_logs set recording_download_status = 'failed', recording_error = ?2, recording_fail_count = 5,
                    recording_next_retry_at = now() + interval '1 hour' where id = ?1""",
                failed.callId(), FailureReason.TIMEOUT.code());

        DevReset.Reset reset = devReset.reset();
        assertTrue(reset.runsDeleted() >= 1, reset.toString());
        assertTrue(reset.recordingsReset() >= 2, reset.toString());
        assertEquals(List.of(), fixture.runs(queued));
        for (Recording recording : List.of(queued, failed)) {
            CallLog call = fixture.call(recording);
            assertEquals(DownloadStatus.MISSING, call.downloadStatus);
            assertEquals(0, call.failCount);
            assertNull(call.error);
            assertNull(call.lastEnqueueAt);
            assertEquals(recording.recordingSid(), call.recordingSid, "the call and its recording stay");
        }
    }
}
