package playback.worker;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.model.DownloadStatus;
import playback.model.RecordingRun;
import playback.model.RunStatus;
import playback.queue.RedisKeys;
import playback.worker.service.DownloadProcessor;

import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * What a worker does with downloads still running when it shuts down (after its grace period): it
 * stops them, releases their slots and hands their runs back to the queue, where they complete.
 */
@QuarkusTest
@QuarkusTestResource(ProviderStub.class)
class ShutdownHandoverTest {

    @Inject
    TestRecordings recordings;

    @Inject
    DownloadProcessor processor;

    @Inject
    RedisDataSource redis;

    @Test
    void stoppedDownloadIsHandedBackAndCompleted() {
        TestRecordings.Recording call = recordings.business(1).get(0);
        String scenario = "slow-" + call.recordingSid();
        ProviderStub.server().stubFor(get(urlPathEqualTo(call.providerPath())).inScenario(scenario)
                .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(TestRecordings.mp3(40_000)).withChunkedDribbleDelay(20, 20_000))
                .willSetStateTo("fast"));
        ProviderStub.server().stubFor(get(urlPathEqualTo(call.providerPath())).inScenario(scenario)
                .whenScenarioStateIs("fast").willReturn(aResponse().withStatus(200)
                        .withHeader("Content-Type", "audio/mpeg").withBody(TestRecordings.mp3(40_000))));
        recordings.enqueue(call);
        await().atMost(Duration.ofSeconds(10)).until(() -> recordings.call(call).downloadStatus == DownloadStatus.DOWNLOADING);

        processor.stopAll();

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> recordings.call(call).downloadStatus == DownloadStatus.READY);
        List<RecordingRun> runs = recordings.runs(call);
        assertEquals(1, runs.size(), "the same run was handed back, not failed");
        assertEquals(RunStatus.SUCCEEDED, runs.get(0).status);
        assertEquals(2, runs.get(0).fence, "claimed twice");
        ProviderStub.server().verify(2, getRequestedFor(urlPathEqualTo(call.providerPath())));
        assertFalse(redis.key().exists(RedisKeys.slots(call.businessId())), "no slot left taken");
    }
}
