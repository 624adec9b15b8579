package playback.worker;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.lifecycle.RecordingReports;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.model.FailureReason;
import playback.model.RecordingRun;
import playback.model.RunStatus;
import playback.storage.RecordingStorage;
import playback.storage.StorageConfig;
import playback.worker.service.DownloadProcessor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Transitions the worker drives against the real database: a replaced recording, a storage that refuses a file. */
@QuarkusTest
@QuarkusTestResource(ProviderStub.class)
class DownloadTransitionsTest {

    @Inject
    TestRecordings recordings;

    @Inject
    RecordingReports reports;

    @Inject
    DownloadProcessor processor;

    @Inject
    RecordingStorage storage;

    @Inject
    StorageConfig storageConfig;

    @Test
    void aNewRecordingDuringADownloadSupersedesItsRunAndNothingOfTheOldOneIsStored() throws Exception {
        TestRecordings.Recording call = recordings.business(1).get(0);
        ProviderStub.server().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(TestRecordings.mp3(10_000)).withFixedDelay(2000)));
        recordings.enqueue(call);
        await().atMost(Duration.ofSeconds(10)).until(() -> recordings.call(call).downloadStatus == DownloadStatus.DOWNLOADING);

        String newRecordingSid = TestRecordings.sid("RE");
        assertEquals(RecordingReports.Reported.REPLACED, reports.recordingReported(call.businessId(),
                new RecordingReports.ReportedRecording(call.callSid(), newRecordingSid, null, "completed", 58, 1)));

        await().atMost(Duration.ofSeconds(10)).until(() -> ProviderStub.server()
                .findAll(getRequestedFor(urlPathEqualTo(call.providerPath()))).size() == 1 && processor.activeCount() == 0);
        CallLog after = recordings.call(call);
        assertEquals(DownloadStatus.MISSING, after.downloadStatus, "the new recording waits for a Play");
        assertEquals(newRecordingSid, after.recordingSid);
        assertNull(after.storageKey);
        assertEquals(List.of(RunStatus.SUPERSEDED), recordings.runs(call).stream().map(run -> run.status).toList());
        assertEquals(Optional.empty(), storage.size(RecordingStorage.keyFor(call.businessId(), call.callSid(), "mp3")),
                "the old recording's file was not committed");
    }

    @Test
    void aFileTheStorageRefusesFailsTheAttemptAsStorageUnavailableAndTheRetryStoresIt() throws Exception {
        TestRecordings.Recording call = recordings.business(1).get(0);
        ProviderStub.server().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(TestRecordings.mp3(10_000))));
        // A plain file where the business's directory belongs: the rename into place fails.
        Path blocker = Path.of(storageConfig.dir()).resolve(Long.toString(call.businessId()));
        Files.write(blocker, new byte[] {1});
        try {
            recordings.enqueue(call);
            await().atMost(Duration.ofSeconds(10)).until(() -> !recordings.runs(call).isEmpty()
                    && recordings.runs(call).get(0).status == RunStatus.FAILED);
            RecordingRun failed = recordings.runs(call).get(0);
            assertEquals(FailureReason.STORAGE_UNAVAILABLE.code(), failed.error);
            CallLog retrying = recordings.call(call);
            assertEquals(FailureReason.STORAGE_UNAVAILABLE.code(), retrying.error);
            assertNull(retrying.storageKey, "nothing of the failed commit was written");
        } finally {
            Files.delete(blocker);
        }

        await().atMost(Duration.ofSeconds(15)).until(() -> recordings.call(call).downloadStatus == DownloadStatus.READY);
        List<RecordingRun> runs = recordings.runs(call);
        assertEquals(RunStatus.SUCCEEDED, runs.get(runs.size() - 1).status);
        runs.subList(0, runs.size() - 1).forEach(run -> assertEquals(FailureReason.STORAGE_UNAVAILABLE.code(), run.error,
                "every attempt before the blocker went away failed on the storage"));
    }
}
