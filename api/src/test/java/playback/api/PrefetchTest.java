package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.model.DownloadStatus;
import playback.model.RecordingRun;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Prefetch: a business's policy fetches completed recordings in the background lane; a Play of one still
 * waiting is promoted (one run, one fetch); background work never holds the slot a Play needs.
 * (The fixtures' calls started on 2026-11-20, so the policies here look back 720 hours.)
 */
@QuarkusTest
class PrefetchTest {

    private static final String OPERATOR = "olivia";
    private static final int WINDOW_HOURS = 720;
    private static final int RECORDING_BYTES = 16_000;

    @Inject
    Tenants tenants;

    @Test
    void aCompletedRecordingOfABusinessWithPrefetchOnIsFetchedInTheBackground() {
        Business business = tenants.business();
        setPrefetch(business, Map.of("hours", WINDOW_HOURS)).then().statusCode(200)
                .body("business_id", equalTo((int) business.id())).body("prefetch.hours", equalTo(WINDOW_HOURS))
                .body("prefetch.daily_max_count", nullValue());
        Call call = stubbed(new Call(business, Fixtures.sid("CA"), Fixtures.sid("RE")), 0);
        MetricsScrape worker = MetricsScrape.of(SystemUnderTest.workerUrl());

        tenants.report(call);

        await().atMost(Duration.ofSeconds(20)).until(() -> tenants.call(call).downloadStatus == DownloadStatus.READY);
        await().atMost(Duration.ofSeconds(10)).until(() -> MetricsScrape.of(SystemUnderTest.workerUrl())
                .sum("playback_prefetched_bytes_total") - worker.sum("playback_prefetched_bytes_total") >= RECORDING_BYTES);
        List<RecordingRun> runs = tenants.runs(call);
        assertEquals(1, runs.size());
        assertEquals("background", lane(runs.get(0)));
        SystemUnderTest.provider().verify(1, getRequestedFor(urlPathEqualTo(call.providerPath())));
        assertEquals(List.of("set_prefetch"), tenants.auditActions(business.id()));
        MetricsScrape before = MetricsScrape.of("http://localhost:" + RestAssured.port);
        given().auth().oauth2(business.token()).queryParam("explicit_user_action", true)
                .get("/api/recordings/" + call.callSid() + "/stream").then().statusCode(200);
        MetricsScrape after = MetricsScrape.of("http://localhost:" + RestAssured.port);
        assertEquals(1, after.sum("playback_plays_answered_total", "cache", "warm")
                - before.sum("playback_plays_answered_total", "cache", "warm"), "the Play of a prefetched recording is warm");
    }

    @Test
    void withPrefetchOffOrOutsideTheWindowOrOverTheDailyCapNothingIsFetched() {
        Business off = tenants.business();
        Call untouched = stubbed(new Call(off, Fixtures.sid("CA"), Fixtures.sid("RE")), 0);
        tenants.report(untouched);

        Business narrow = tenants.business();
        setPrefetch(narrow, Map.of("hours", 1)).then().statusCode(200);
        Call old = stubbed(new Call(narrow, Fixtures.sid("CA"), Fixtures.sid("RE")), 0);
        tenants.report(old);

        Business capped = tenants.business();
        setPrefetch(capped, Map.of("hours", WINDOW_HOURS, "daily_max_count", 1)).then().statusCode(200);
        Call first = stubbed(new Call(capped, Fixtures.sid("CA"), Fixtures.sid("RE")), 0);
        Call second = stubbed(new Call(capped, Fixtures.sid("CA"), Fixtures.sid("RE")), 0);
        tenants.report(first);
        tenants.report(second);

        await().atMost(Duration.ofSeconds(20)).until(() -> tenants.call(first).downloadStatus == DownloadStatus.READY);
        for (Call call : List.of(untouched, old, second)) {
            assertEquals(DownloadStatus.MISSING, tenants.call(call).downloadStatus, call.callSid() + " is not fetched");
            assertEquals(0, tenants.runs(call).size());
        }
    }

    @Test
    void aPlayOfAWaitingPrefetchPromotesItAndBackgroundWorkNeverHoldsTheLastSlot() {
        Business business = tenants.business();
        given().auth().oauth2(tenants.operatorToken(OPERATOR)).contentType("application/json")
                .body(Map.of("limit", 2)).put("/api/ops/businesses/" + business.id() + "/limit").then().statusCode(200);
        setPrefetch(business, Map.of("hours", WINDOW_HOURS)).then().statusCode(200);
        // Three slow prefetches: with a limit of 2, only one of them may run at a time.
        List<Call> slow = List.of(call(business, 6_000), call(business, 6_000), call(business, 6_000));
        slow.forEach(tenants::report);
        await().atMost(Duration.ofSeconds(10)).until(() -> slow.stream()
                .anyMatch(call -> tenants.call(call).downloadStatus == DownloadStatus.DOWNLOADING));
        Call waiting = slow.stream().filter(call -> tenants.call(call).downloadStatus == DownloadStatus.QUEUED)
                .findFirst().orElseThrow();

        given().auth().oauth2(business.token()).queryParam("explicit_user_action", true)
                .get("/api/recordings/" + waiting.callSid() + "/stream").then().statusCode(202);

        // The Play's download takes the slot the background left, while the first prefetch still runs.
        await().atMost(Duration.ofSeconds(3)).until(() -> tenants.call(waiting).downloadStatus == DownloadStatus.DOWNLOADING);
        assertEquals(2, downloading(slow), "one prefetch and the promoted Play, never two prefetches");
        await().atMost(Duration.ofSeconds(30)).until(() -> slow.stream()
                .allMatch(call -> tenants.call(call).downloadStatus == DownloadStatus.READY));
        List<RecordingRun> runs = tenants.runs(waiting);
        assertEquals(1, runs.size(), "the prefetch's run was promoted, not duplicated");
        assertEquals("interactive", lane(runs.get(0)));
        for (Call call : slow) {
            SystemUnderTest.provider().verify(1, getRequestedFor(urlPathEqualTo(call.providerPath())));
        }
    }

    @Test
    void prefetchesOfManyBusinessesNeverTakeTheWorkersLastThreads() {
        // The worker runs 8 downloads, 2 of them kept for Plays; 5 businesses with a limit of 3 each want 10
        // slow prefetches at once (2 each), more than the 6 the worker gives them.
        List<Call> slow = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Business business = tenants.business();
            setPrefetch(business, Map.of("hours", WINDOW_HOURS)).then().statusCode(200);
            slow.add(call(business, 5_000));
            slow.add(call(business, 5_000));
        }
        slow.forEach(tenants::report);
        await().atMost(Duration.ofSeconds(10)).until(() -> downloading(slow) >= 6);
        Call played = call(tenants.business(), 0);
        tenants.report(played);

        given().auth().oauth2(played.business().token()).queryParam("explicit_user_action", true)
                .get("/api/recordings/" + played.callSid() + "/stream").then().statusCode(202);

        await().atMost(Duration.ofMillis(2_500)).until(() -> tenants.call(played).downloadStatus == DownloadStatus.READY);
        assertEquals(6, downloading(slow), "the first prefetches still run, and no more of them than the worker gives");
        await().atMost(Duration.ofSeconds(30)).until(() -> slow.stream()
                .allMatch(call -> tenants.call(call).downloadStatus == DownloadStatus.READY));
        for (Call call : slow) {
            SystemUnderTest.provider().verify(1, getRequestedFor(urlPathEqualTo(call.providerPath())));
        }
    }

    private long downloading(List<Call> calls) {
        return calls.stream().filter(call -> tenants.call(call).downloadStatus == DownloadStatus.DOWNLOADING).count();
    }

    @Test
    void aRateLimitedAccountHoldsItsPrefetchesBackWhilePlaysGoOn() {
        Business business = tenants.business();
        setPrefetch(business, Map.of("hours", WINDOW_HOURS)).then().statusCode(200);
        Call limited = new Call(business, Fixtures.sid("CA"), Fixtures.sid("RE"));
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(limited.providerPath()))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
        tenants.report(limited);
        await().atMost(Duration.ofSeconds(20)).until(() -> "provider_rate_limited".equals(tenants.call(limited).error));

        Call held = call(business, 0);
        tenants.report(held);
        Call played = call(business, 0);
        tenants.report(played);
        given().auth().oauth2(business.token()).queryParam("explicit_user_action", true)
                .get("/api/recordings/" + played.callSid() + "/stream").then().statusCode(202);

        await().atMost(Duration.ofSeconds(20)).until(() -> tenants.call(played).downloadStatus == DownloadStatus.READY);
        SystemUnderTest.provider().verify(0, getRequestedFor(urlPathEqualTo(held.providerPath())));
        assertEquals(DownloadStatus.QUEUED, tenants.call(held).downloadStatus, "the prefetch waits for the hold to pass");
    }

    @Test
    void aPolicyIsForOperatorsAndItsBodyIsChecked() {
        Business business = tenants.business();
        given().auth().oauth2(business.token()).contentType("application/json").body(Map.of("hours", 24))
                .put("/api/ops/businesses/" + business.id() + "/prefetch").then().statusCode(403);
        for (Object body : List.of(Map.of("hours", 0), Map.of("hours", 721), Map.of("hours", 24, "daily_max_count", 0),
                Map.of("hours", "24"), Map.of("days", 1), List.of())) {
            setPrefetch(business, body).then().statusCode(400).body("error", equalTo("invalid_body"));
        }
        given().auth().oauth2(tenants.operatorToken(OPERATOR)).contentType("application/json").body(Map.of("hours", 24))
                .put("/api/ops/businesses/999999999/prefetch").then().statusCode(404);
        setPrefetch(business, Map.of("hours", 24)).then().statusCode(200);
        setPrefetch(business, Collections.singletonMap("hours", null)).then().statusCode(200)
                .body("prefetch", nullValue());
        given().auth().oauth2(tenants.operatorToken(OPERATOR)).get("/api/ops/businesses/" + business.id() + "/prefetch")
                .then().statusCode(200).body("prefetch", nullValue());
    }

    private io.restassured.response.Response setPrefetch(Business business, Object body) {
        return given().auth().oauth2(tenants.operatorToken(OPERATOR)).contentType("application/json").body(body)
                .put("/api/ops/businesses/" + business.id() + "/prefetch");
    }

    private Call call(Business business, int delayMillis) {
        return stubbed(new Call(business, Fixtures.sid("CA"), Fixtures.sid("RE")), delayMillis);
    }

    private static Call stubbed(Call call, int delayMillis) {
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "audio/mpeg").withBody(Tenants.mp3(RECORDING_BYTES)).withFixedDelay(delayMillis)));
        return call;
    }

    private String lane(RecordingRun run) {
        return tenants.runLane(run.id);
    }
}
