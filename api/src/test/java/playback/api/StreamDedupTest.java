package playback.api;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.api.service.RecordingService;
import playback.api.service.PlayDecision;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.queue.RedisKeys;
import playback.testing.TestDatabase;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** However many concurrent Play requests, one provider fetch and one recording run. */
@QuarkusTest
@QuarkusTestResource(value = TestDatabase.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = SystemUnderTest.class, restrictToAnnotatedClass = false)
class StreamDedupTest {

    private static final int CONCURRENT = 200;

    @Inject
    Tenants tenants;

    @Inject
    RedisDataSource redis;

    @Inject
    RecordingService recordings;

    private final HttpClient http = HttpClient.newBuilder()
            .executor(Executors.newFixedThreadPool(64)).connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void twoHundredConcurrentPlaysFetchOnce() {
        Business business = tenants.business();
        Call call = tenants.callWithRecording(business);
        stubRecording(call, 500);

        List<Integer> statuses = playConcurrently(call, CONCURRENT);

        assertTrue(Set.of(200, 202).containsAll(statuses), "every answer is 202 or 200: " + Set.copyOf(statuses));
        awaitReady(call);
        SystemUnderTest.provider().verify(1, getRequestedFor(urlPathEqualTo(call.providerPath())));
        assertEquals(1, tenants.runs(call).size(), "exactly one recording run");
    }

    @Test
    void databaseAloneAllowsOneActiveRunWhenTheDedupKeyIsGone() {
        Business business = tenants.business();
        Call call = tenants.callWithRecording(business);
        stubRecording(call, 4000);

        for (int wave = 0; wave < 10; wave++) {
            // Take Redis and the cooldown out of the picture: only the partial unique index is left.
            redis.key().del(RedisKeys.dedup(business.id(), call.callSid()));
            tenants.sql("update call_logs set recording_last_enqueue_at = now() - interval '1 hour' "
                    + "where business_id = ?1 and call_sid = ?2", business.id(), call.callSid());
            List<Integer> statuses = playConcurrently(call, 20);
            assertTrue(Set.of(200, 202).containsAll(statuses), "wave " + wave + ": " + Set.copyOf(statuses));
        }

        awaitReady(call);
        assertEquals(1, tenants.runs(call).size(), "the unique index allowed one run");
        SystemUnderTest.provider().verify(1, getRequestedFor(urlPathEqualTo(call.providerPath())));
    }

    @Test
    void aPlayActingOnAStaleReadDoesNotDownloadAReadyRecordingAgain() {
        Business business = tenants.business();
        Call call = tenants.callWithRecording(business);
        stubRecording(call, 0);
        playConcurrently(call, 1);
        awaitReady(call);

        // A request that read the call before it became ready, and reaches the enqueue step only now,
        // after the worker released the dedup key.
        CallLog stale = tenants.call(call);
        stale.downloadStatus = DownloadStatus.MISSING;
        stale.lastEnqueueAt = null;
        PlayDecision decision = recordings.stream(stale, true, false);

        assertInstanceOf(PlayDecision.Serve.class, decision, "the ready file is served");
        assertEquals(1, tenants.runs(call).size(), "no second run");
        SystemUnderTest.provider().verify(1, getRequestedFor(urlPathEqualTo(call.providerPath())));
    }

    private void stubRecording(Call call, int delayMillis) {
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(Tenants.mp3(64_000)).withFixedDelay(delayMillis)));
    }

    private List<Integer> playConcurrently(Call call, int count) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:8181/api/recordings/"
                        + call.callSid() + "/stream?explicit_user_action=true"))
                .header("Authorization", "Bearer " + call.business().token())
                .timeout(Duration.ofSeconds(30)).build();
        List<CompletableFuture<HttpResponse<Void>>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            answers.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
        }
        return answers.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();
    }

    private void awaitReady(Call call) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> tenants.call(call).downloadStatus == DownloadStatus.READY);
    }
}
