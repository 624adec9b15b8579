package playback.worker;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.model.DownloadStatus;
import playback.model.RecordingRun;
import playback.model.RunStatus;
import playback.queue.DownloadJob;

import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Nothing stays stuck: runs whose worker vanished are swept and retried; runs Redis lost are pushed again. */
@QuarkusTest
@QuarkusTestResource(ProviderStub.class)
class SweepTest {

    @Inject
    TestRecordings recordings;

    @Test
    void runStuckInRunningPastItsLeaseIsSweptAndRetried() {
        TestRecordings.Recording call = stubbedRecording();
        DownloadJob job = recordings.insertRun(call);
        // A worker claimed the run and vanished with its stream entry: no delivery will ever come back.
        recordings.sql("update recording_runs set status = 'running', fence = 1, worker = 'vanished', "
                + "lease_until = now() - interval '10 seconds' where id = ?1", job.runId());

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> recordings.call(call).downloadStatus == DownloadStatus.READY);

        List<RecordingRun> runs = recordings.runs(call);
        assertEquals(List.of(RunStatus.FAILED, RunStatus.SUCCEEDED), runs.stream().map(run -> run.status).toList());
        assertEquals("worker_lost", runs.get(0).error);
        assertEquals(2, runs.get(1).attempt);
        ProviderStub.server().verify(1, getRequestedFor(urlPathEqualTo(call.providerPath())));
    }

    @Test
    void queuedRunThatRedisLostIsPushedAgain() {
        TestRecordings.Recording call = stubbedRecording();
        DownloadJob job = recordings.insertRun(call);
        recordings.sql("update recording_runs set pushed_at = now() - interval '1 minute', "
                + "not_before = now() - interval '1 minute' where id = ?1", job.runId());

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> recordings.call(call).downloadStatus == DownloadStatus.READY);

        List<RecordingRun> runs = recordings.runs(call);
        assertEquals(1, runs.size());
        assertEquals(RunStatus.SUCCEEDED, runs.get(0).status);
        ProviderStub.server().verify(1, getRequestedFor(urlPathEqualTo(call.providerPath())));
    }

    private TestRecordings.Recording stubbedRecording() {
        TestRecordings.Recording call = recordings.business(1).get(0);
        ProviderStub.server().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(TestRecordings.mp3(10_000))));
        return call;
    }
}
