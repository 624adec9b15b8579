package playback.api;

import io.restassured.RestAssured;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import playback.devstack.Fixtures.Call;
import playback.model.DownloadStatus;
import playback.testing.DocumentedMetrics;

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
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metrics of api and worker move with what happens: a cold Play and its burst of duplicate clicks,
 * the download, a ranged read, a failed attempt and its retry, a slot held. Each test first waits until
 * no run of any earlier test is queued or running, so that only its own recordings move the worker's
 * counters.
 */
@QuarkusTest
class MetricsTest {

    private static final int BURST = 20;

    @Inject
    Tenants tenants;

    private final HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(BURST)).build();

    @BeforeEach
    void quiet() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> tenants.activeRuns() == 0);
    }

    @Test
    void everyDocumentedMetricIsExportedAndEveryExportedOneIsDocumented() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        List<String> notExported = DocumentedMetrics.exportedFromTheStart("api").stream()
                .filter(name -> !metrics.contains("\n" + name)).toList();
        assertAll(() -> assertEquals(List.of(), notExported, "in the api's rows of docs/operations.md, not exported"),
                () -> assertEquals(Set.of(), DocumentedMetrics.undocumented("api", metrics),
                        "exported, and not in the api's rows of docs/operations.md"));
    }

    @Test
    void aColdPlayEnqueuesOnceDownloadsOnceAndCountsTheBurstAsDuplicates() {
        Call call = tenants.callWithRecording(tenants.business());
        byte[] audio = Tenants.mp3(48_000);
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(audio).withFixedDelay(500)));
        MetricsScrape api = MetricsScrape.of(apiUrl());
        MetricsScrape worker = MetricsScrape.of(SystemUnderTest.workerUrl());

        List<Integer> statuses = playBurst(call);
        await().atMost(Duration.ofSeconds(30)).until(() -> tenants.call(call).downloadStatus == DownloadStatus.READY);
        await().atMost(Duration.ofSeconds(10)).until(() -> grew(SystemUnderTest.workerUrl(), worker,
                "playback_downloads_succeeded_total"));
        String streamUrl = given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/status").path("stream_url");
        given().header("Range", "bytes=0-999").get(streamUrl).then().statusCode(206);

        MetricsScrape apiAfter = MetricsScrape.of(apiUrl());
        MetricsScrape workerAfter = MetricsScrape.of(SystemUnderTest.workerUrl());
        long answered202 = statuses.stream().filter(status -> status == 202).count();
        assertEquals(BURST, statuses.size());
        assertEquals(BURST, answered202, "every click of the burst was answered 202: " + statuses);
        assertEquals(BURST, delta(api, apiAfter, "playback_plays_total", "explicit", "true"));
        assertEquals(1, delta(api, apiAfter, "playback_enqueues_total", "lane", "interactive"));
        assertEquals(BURST, delta(api, apiAfter, "playback_plays_answered_total", "cache", "cold"));
        assertEquals(BURST - 1, delta(api, apiAfter, "playback_enqueue_duplicates_total"),
                "every other click counted as a duplicate blocked, by one guard");
        assertEquals(BURST, delta(api, apiAfter, "playback_stream_responses_total", "status", "202"));
        assertEquals(1, delta(api, apiAfter, "playback_stream_responses_total", "status", "206"));
        assertEquals(1000, delta(api, apiAfter, "playback_stream_bytes_total"));

        assertEquals(1, delta(worker, workerAfter, "playback_downloads_started_total"));
        assertEquals(1, delta(worker, workerAfter, "playback_downloads_succeeded_total"));
        assertEquals(0, delta(worker, workerAfter, "playback_downloads_failed_total"));
        assertEquals(1, delta(worker, workerAfter, "playback_provider_responses_total", "status", "200"),
                () -> "provider answers before " + worker.samples("playback_provider_responses_total") + ", after "
                        + workerAfter.samples("playback_provider_responses_total"));
        assertEquals(1, delta(worker, workerAfter, "playback_download_bytes_count"));
        assertEquals(audio.length, delta(worker, workerAfter, "playback_download_bytes_sum"));
        assertEquals(1, delta(worker, workerAfter, "playback_download_duration_seconds_count"));
        assertEquals(1, delta(worker, workerAfter, "playback_time_to_ready_seconds_count"));
        double toReady = delta(worker, workerAfter, "playback_time_to_ready_seconds_sum");
        assertTrue(toReady >= 0.5 && toReady < 30, "first Play to ready takes the provider's 0.5 s at least: " + toReady);
    }

    @Test
    void aFailedAttemptIsCountedWithItsReasonAndItsRetryWaitsInTheDelayedQueue() {
        Call call = tenants.callWithRecording(tenants.business());
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).willReturn(aResponse().withStatus(503)));
        MetricsScrape worker = MetricsScrape.of(SystemUnderTest.workerUrl());

        play(call);

        await().atMost(Duration.ofSeconds(20)).until(() -> {
            MetricsScrape now = MetricsScrape.of(SystemUnderTest.workerUrl());
            return delta(worker, now, "playback_downloads_failed_total", "reason", "provider_unavailable") >= 1
                    && delta(worker, now, "playback_downloads_retried_total", "reason", "provider_unavailable") >= 1
                    && delta(worker, now, "playback_provider_responses_total", "status", "503") >= 1;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> MetricsScrape.of(SystemUnderTest.workerUrl())
                .sum("playback_queue_jobs", "state", "delayed") >= 1);
    }

    @Test
    void aDownloadInFlightHoldsASlotOfItsBusinessAndTheGaugeShowsIt() {
        Call call = tenants.callWithRecording(tenants.business());
        String business = Long.toString(call.business().id());
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).willReturn(aResponse()
                .withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(Tenants.mp3(8_000))
                .withFixedDelay(6_000)));

        play(call);

        await().atMost(Duration.ofSeconds(10)).until(() -> MetricsScrape.of(SystemUnderTest.workerUrl())
                .sum("playback_slots_in_use", "business_id", business) == 1);
        MetricsScrape during = MetricsScrape.of(SystemUnderTest.workerUrl());
        assertTrue(during.sum("playback_slots_limit", "business_id", business) >= 1, "the business's limit is shown");
        await().atMost(Duration.ofSeconds(20)).until(() -> MetricsScrape.of(SystemUnderTest.workerUrl())
                .sum("playback_slots_in_use", "business_id", business) == 0);
    }

    private static boolean grew(String url, MetricsScrape before, String name) {
        return delta(before, MetricsScrape.of(url), name) > 0;
    }

    private static double delta(MetricsScrape before, MetricsScrape after, String name, String... labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    private static String apiUrl() {
        return "http://localhost:" + RestAssured.port;
    }

    private void play(Call call) {
        given().auth().oauth2(call.business().token()).queryParam("explicit_user_action", true)
                .get("/api/recordings/" + call.callSid() + "/stream").then().statusCode(202);
    }

    private List<Integer> playBurst(Call call) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiUrl() + "/api/recordings/" + call.callSid()
                        + "/stream?explicit_user_action=true"))
                .header("Authorization", "Bearer " + call.business().token()).build();
        List<CompletableFuture<HttpResponse<Void>>> answers = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            answers.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
        }
        return answers.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();
    }
}
