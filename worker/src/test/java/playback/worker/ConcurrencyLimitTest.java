package playback.worker;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.model.DownloadStatus;
import playback.model.RunStatus;
import playback.queue.RedisKeys;
import playback.testing.TestDatabase;

import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 30 jobs of one business with 3 slots never fetch more than 3 at once, and all finish. */
@QuarkusTest
@QuarkusTestResource(value = TestDatabase.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(ProviderStub.class)
class ConcurrencyLimitTest {

    @Inject
    TestRecordings recordings;

    @Inject
    RedisDataSource redis;

    @Test
    void thirtyJobsNeverExceedThreeConcurrentFetches() {
        List<TestRecordings.Recording> calls = recordings.business(30);
        String account = calls.get(0).accountSid();
        ProviderStub.server().stubFor(get(urlPathMatching("/2010-04-01/Accounts/" + account + "/Recordings/.*"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(TestRecordings.mp3(20_000)).withFixedDelay(300)));
        ProviderStub.resetInFlight();

        calls.forEach(recordings::enqueue);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() ->
                calls.stream().allMatch(call -> recordings.call(call).downloadStatus == DownloadStatus.READY));

        assertTrue(ProviderStub.maxInFlight() <= 3, "at most 3 fetches at once, saw " + ProviderStub.maxInFlight());
        assertTrue(ProviderStub.maxInFlight() >= 2, "downloads ran in parallel, saw " + ProviderStub.maxInFlight());
        for (TestRecordings.Recording call : calls) {
            ProviderStub.server().verify(1, getRequestedFor(urlPathEqualTo(call.providerPath())));
            assertEquals(1, recordings.runs(call).size());
            assertEquals(RunStatus.SUCCEEDED, recordings.runs(call).get(0).status);
        }
        assertFalse(redis.key().exists(RedisKeys.slots(calls.get(0).businessId())), "no slot is left taken");
    }
}
