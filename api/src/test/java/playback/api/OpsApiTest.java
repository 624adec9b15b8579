package playback.api;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.model.DownloadStatus;
import playback.model.RecordingRun;
import playback.model.RunStatus;
import playback.queue.DownloadJob;
import playback.queue.RedisKeys;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.IntStream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operations API against the real worker process: the ops role, pause and resume as the provider
 * sees them, a business's slot limit, retry now, the audit trail, and bad requests.
 */
@QuarkusTest
class OpsApiTest {

    private static final String OPERATOR = "olivia";
    /** The worker process's default slot limit (it runs without playback.slots.per-business). */
    private static final int DEFAULT_LIMIT = 5;

    @Inject
    Tenants tenants;

    @Inject
    RedisDataSource redis;

    @Test
    void everyEndpointNeedsTheOpsRole() {
        Business business = tenants.business();
        String path = "/api/ops/businesses/" + business.id();
        String recording = path + "/recordings/" + tenants.callWithRecording(business).callSid() + "/retry";
        for (Response answer : List.of(given().get("/api/ops/overview"), given().post(path + "/pause"),
                given().get("/api/ops/audit"), given().post(recording))) {
            answer.then().statusCode(401).body("error", equalTo("unauthorized"));
        }
        String userToken = business.token();
        for (Response answer : List.of(given().auth().oauth2(userToken).get("/api/ops/overview"),
                given().auth().oauth2(userToken).post(path + "/pause"),
                given().auth().oauth2(userToken).post(path + "/resume"),
                given().auth().oauth2(userToken).contentType(ContentType.JSON).body("{\"limit\":1}").put(path + "/limit"),
                given().auth().oauth2(userToken).get("/api/ops/audit"),
                given().auth().oauth2(userToken).post(recording))) {
            answer.then().statusCode(403).body("error", equalTo("forbidden"))
                    .body("message", equalTo("the operations role is required"));
        }
        ops().get("/api/ops/overview").then().statusCode(200).body("default_limit", equalTo(DEFAULT_LIMIT));
        assertEquals(List.of(), tenants.auditActions(business.id()), "a refused request changes and records nothing");
    }

    @Test
    void theDevTokenRefusesARoleItDoesNotKnow() {
        Business business = tenants.business();
        given().contentType(ContentType.JSON)
                .body(Map.of("business_id", business.id(), "user", OPERATOR, "roles", List.of("admin")))
                .post("/api/dev/token").then().statusCode(400).body("error", equalTo("invalid_body"));
    }

    @Test
    void pauseStopsNewDownloadsAndResumeDrainsThem() {
        Business business = tenants.business();
        Call call = tenants.callWithRecording(business);
        stub(call, audio());

        ops().post(businessPath(business) + "/pause").then().statusCode(200)
                .body("id", equalTo((int) business.id())).body("paused", equalTo(true));
        awaitWorkersSeePause(business);

        Tenants.play(call).then().statusCode(202).body("status", equalTo("queued")).body("paused", equalTo(true));
        DownloadJob job = new DownloadJob(onlyRun(call).id, business.id(), call.callSid());
        double firstDeferral = awaitDeferred(job, Optional.empty());
        awaitDeferred(job, Optional.of(firstDeferral));
        SystemUnderTest.provider().verify(0, getRequestedFor(urlPathEqualTo(call.providerPath())));
        Tenants.status(call).then().body("status", equalTo("queued")).body("paused", equalTo(true));
        overviewEntry(business).body("paused", equalTo(true)).body("queued", greaterThanOrEqualTo(1));

        ops().post(businessPath(business) + "/resume").then().statusCode(200).body("paused", equalTo(false));

        tenants.awaitStatus(call, DownloadStatus.READY, 20);
        SystemUnderTest.provider().verify(1, getRequestedFor(urlPathEqualTo(call.providerPath())));
        Tenants.status(call).then().body("paused", equalTo(false));
        assertEquals(List.of("pause", "resume"), tenants.auditActions(business.id()));
        ops().get("/api/ops/audit?limit=200").then().statusCode(200)
                .body("items.find { it.business_id == " + business.id() + " && it.action == 'pause' }.actor",
                        equalTo(OPERATOR));
    }

    @Test
    void aLimitOfOneKeepsOneDownloadInFlightForTheBusiness() {
        Business business = tenants.business();
        ops().contentType(ContentType.JSON).body("{\"limit\":1}").put(businessPath(business) + "/limit")
                .then().statusCode(200).body("limit", equalTo(1)).body("limit_overridden", equalTo(true));
        // Paused as well, so that the worker is known to have read the limit before any download starts.
        ops().post(businessPath(business) + "/pause").then().statusCode(200);
        Call probe = awaitWorkersSeePause(business);
        List<Call> calls = new ArrayList<>(List.of(probe));
        IntStream.range(0, 4).forEach(i -> calls.add(tenants.callWithRecording(business)));
        calls.forEach(call -> stub(call, audio().withFixedDelay(600)));
        calls.stream().skip(1).forEach(call -> Tenants.play(call).then().statusCode(202));

        ops().post(businessPath(business) + "/resume").then().statusCode(200);

        calls.forEach(call -> tenants.awaitStatus(call, DownloadStatus.READY, 30));
        List<ServeEvent> fetches = SystemUnderTest.provider().getAllServeEvents().stream()
                .filter(event -> calls.stream().anyMatch(call -> event.getRequest().getUrl().startsWith(call.providerPath())))
                .toList();
        assertEquals(calls.size(), fetches.size(), "one fetch per recording");
        assertEquals(1, maxOverlap(fetches), "never more than one fetch at once for the business");

        ops().contentType(ContentType.JSON).body("{\"limit\":null}").put(businessPath(business) + "/limit")
                .then().statusCode(200).body("limit", equalTo(DEFAULT_LIMIT)).body("limit_overridden", equalTo(false));
        assertEquals(List.of("set_limit", "pause", "resume", "set_limit"), tenants.auditActions(business.id()));
    }

    @Test
    void retryNowOfAFailedRecordingFetchesExactlyOnceMore() {
        Business business = tenants.business();
        Call call = tenants.callWithRecording(business);
        String scenario = "gone-then-back-" + call.recordingSid();
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).inScenario(scenario)
                .whenScenarioStateIs(STARTED).willReturn(aResponse().withStatus(404)).willSetStateTo("recheck"));
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).inScenario(scenario)
                .whenScenarioStateIs("recheck").willReturn(aResponse().withStatus(404)).willSetStateTo("back"));
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).inScenario(scenario)
                .whenScenarioStateIs("back").willReturn(audio()));
        Tenants.play(call).then().statusCode(202);
        tenants.awaitStatus(call, DownloadStatus.FAILED, 20);
        Tenants.play(call).then().statusCode(410);
        overview().then().body("recent_failures.find { it.call_sid == '" + call.callSid() + "' }.error",
                equalTo("provider_not_found"));

        retry(business, call.callSid()).then().statusCode(202).body("call_sid", equalTo(call.callSid()))
                .body("status", equalTo("queued")).body("error", nullValue()).body("paused", equalTo(false));

        tenants.awaitStatus(call, DownloadStatus.READY, 20);
        SystemUnderTest.provider().verify(3, getRequestedFor(urlPathEqualTo(call.providerPath())));
        List<RecordingRun> runs = tenants.runs(call);
        assertEquals(List.of(RunStatus.FAILED, RunStatus.SUCCEEDED), runs.stream().map(run -> run.status).toList());
        assertEquals(1, runs.get(1).attempt, "a new cycle begins");
        retry(business, call.callSid()).then().statusCode(409).body("error", equalTo("not_retryable"));
        assertEquals(List.of("retry_now"), tenants.auditActions(business.id()));
        ops().get("/api/ops/audit").then().body("items.find { it.call_sid == '" + call.callSid() + "' }.actor",
                equalTo(OPERATOR));
    }

    @Test
    void retryNowMakesAPendingRetryDue() {
        Business business = tenants.business();
        Call call = tenants.callWithRecording(business);
        String scenario = "limited-" + call.recordingSid();
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).inScenario(scenario)
                .whenScenarioStateIs(STARTED).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "60"))
                .willSetStateTo("open"));
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).inScenario(scenario)
                .whenScenarioStateIs("open").willReturn(audio()));
        Tenants.play(call).then().statusCode(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> tenants.runs(call).size() == 2);
        Tenants.status(call).then().body("status", equalTo("queued")).body("next_attempt_at", notNullValue());

        retry(business, call.callSid()).then().statusCode(202).body("status", equalTo("queued"))
                .body("next_attempt_at", nullValue());

        tenants.awaitStatus(call, DownloadStatus.READY, 15);
        SystemUnderTest.provider().verify(2, getRequestedFor(urlPathEqualTo(call.providerPath())));
        assertEquals(2, tenants.runs(call).size(), "the pending run itself ran, no other");
    }

    @Test
    void badRequestsAreClearJsonErrors() {
        Business business = tenants.business();
        String limit = businessPath(business) + "/limit";
        for (String body : List.of("{\"limit\":0}", "{\"limit\":101}", "{\"limit\":\"1\"}", "{\"limit\":1.5}", "{}",
                "[1]", "not json", "{\"limit\":1,\"other\":2}")) {
            ops().contentType(ContentType.JSON).body(body).put(limit).then().statusCode(400)
                    .body("error", equalTo("invalid_body"));
        }
        ops().contentType(ContentType.JSON).put(limit).then().statusCode(400).body("error", equalTo("invalid_body"));
        long unknown = business.id() + 1_000_000;
        ops().post("/api/ops/businesses/" + unknown + "/pause").then().statusCode(404).body("error", equalTo("unknown_business"));
        ops().post("/api/ops/businesses/" + unknown + "/resume").then().statusCode(404).body("error", equalTo("unknown_business"));
        ops().post("/api/ops/businesses/x/pause").then().statusCode(404).body("error", equalTo("unknown_business"));
        ops().contentType(ContentType.JSON).body("{\"limit\":2}").put("/api/ops/businesses/" + unknown + "/limit")
                .then().statusCode(404).body("error", equalTo("unknown_business"));
        Call call = tenants.callWithRecording(business);
        retry(business, "CA123").then().statusCode(400).body("error", equalTo("invalid_sid"));
        ops().post("/api/ops/businesses/" + unknown + "/recordings/" + call.callSid() + "/retry").then().statusCode(404)
                .body("error", equalTo("unknown_business"));
        retry(business, "CA" + "0".repeat(32)).then().statusCode(404);
        retry(business, call.callSid()).then().statusCode(409).body("error", equalTo("not_retryable"));
        ops().get("/api/ops/audit?limit=0").then().statusCode(400).body("error", equalTo("invalid_limit"));
        assertEquals(List.of(), tenants.auditActions(business.id()));
    }

    @Test
    void theOverviewShowsEveryBusinessAndTheQueue() {
        Business business = tenants.business();
        overview().then().statusCode(200).body("generated_at", notNullValue())
                .body("queue.waiting", notNullValue()).body("queue.delayed", notNullValue())
                .body("queue.pending", notNullValue()).body("queue.oldest_waiting_seconds", notNullValue())
                .body("throughput", hasSize(15)).body("stuck_runs", notNullValue());
        overviewEntry(business).body("account_sid", equalTo(business.accountSid()))
                .body("limit", equalTo(DEFAULT_LIMIT)).body("limit_overridden", equalTo(false))
                .body("paused", equalTo(false)).body("in_flight", equalTo(0)).body("queued", equalTo(0))
                .body("prefetch", nullValue()).body("prefetched_today", nullValue());
    }

    @Test
    void theOverviewShowsEachBusinessPrefetchPolicyAndItsPrefetchesToday() {
        Business business = tenants.business();
        setPrefetch(business, "{\"hours\":720,\"daily_max_count\":50}");
        overviewEntry(business).body("prefetch.hours", equalTo(720)).body("prefetch.daily_max_count", equalTo(50))
                .body("prefetched_today", equalTo(0));

        Call call = new Call(business, Fixtures.sid("CA"), Fixtures.sid("RE"));
        stub(call, audio());
        tenants.report(call);
        tenants.awaitStatus(call, DownloadStatus.READY, 20);
        overviewEntry(business).body("prefetched_today", equalTo(1)).body("queued", equalTo(0));

        setPrefetch(business, "{\"hours\":24}");
        // The answers of the other actions carry the business's entry, policy included.
        ops().post(businessPath(business) + "/resume").then().statusCode(200)
                .body("prefetch.hours", equalTo(24)).body("prefetch.daily_max_count", nullValue())
                .body("prefetched_today", equalTo(1));
        setPrefetch(business, "{\"hours\":null}");
        overviewEntry(business).body("prefetch", nullValue()).body("prefetched_today", nullValue());
        assertEquals(List.of("set_prefetch", "set_prefetch", "resume", "set_prefetch"), tenants.auditActions(business.id()));
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /**
     * Waits until the worker is known to honour the business's pause: a probe recording's job is deferred
     * (put back in the delayed set) rather than fetched. Controls reach the workers within their refresh
     * interval, so a probe may still be fetched just after the pause; then another one is tried. Returns
     * the probe that was deferred: it is still queued.
     */
    private Call awaitWorkersSeePause(Business business) {
        Call[] deferred = {null};
        await("the worker honours the pause").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    Call probe = tenants.callWithRecording(business);
                    stub(probe, audio());
                    Tenants.play(probe).then().statusCode(202);
                    DownloadJob job = new DownloadJob(onlyRun(probe).id, business.id(), probe.callSid());
                    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                            .until(() -> deferredAt(job).isPresent() || fetched(probe));
                    deferred[0] = fetched(probe) ? null : probe;
                    return deferred[0] != null;
                });
        return deferred[0];
    }

    /** Waits until the job is in the delayed set with a due time other than {@code previous}; returns it. */
    private double awaitDeferred(DownloadJob job, Optional<Double> previous) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> deferredAt(job), due -> due.isPresent() && !due.equals(previous)).orElseThrow();
    }

    private Optional<Double> deferredAt(DownloadJob job) {
        OptionalDouble due = redis.sortedSet(String.class).zscore(RedisKeys.DELAYED_JOBS, job.encode());
        return due.isPresent() ? Optional.of(due.getAsDouble()) : Optional.empty();
    }

    private static boolean fetched(Call call) {
        return !SystemUnderTest.provider().findAll(getRequestedFor(urlPathEqualTo(call.providerPath()))).isEmpty();
    }

    private RecordingRun onlyRun(Call call) {
        List<RecordingRun> runs = tenants.runs(call);
        assertEquals(1, runs.size());
        return runs.get(0);
    }

    /** The most fetches that were under way at the same moment. */
    private static int maxOverlap(List<ServeEvent> fetches) {
        List<long[]> edges = new ArrayList<>();
        for (ServeEvent fetch : fetches) {
            long start = fetch.getRequest().getLoggedDate().getTime();
            edges.add(new long[] {start, 1});
            edges.add(new long[] {start + fetch.getTiming().getTotalTime(), -1});
        }
        edges.sort(Comparator.<long[]>comparingLong(edge -> edge[0]).thenComparingLong(edge -> edge[1]));
        int current = 0;
        int max = 0;
        for (long[] edge : edges) {
            current += (int) edge[1];
            max = Math.max(max, current);
        }
        return max;
    }

    private static void stub(Call call, ResponseDefinitionBuilder answer) {
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).willReturn(answer));
    }

    private static ResponseDefinitionBuilder audio() {
        return aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(Tenants.mp3(32_000));
    }

    private RequestSpecification ops() {
        return given().auth().oauth2(tenants.operatorToken(OPERATOR));
    }

    private Response overview() {
        return ops().get("/api/ops/overview");
    }

    /** The overview, its assertions rooted at the business's entry. */
    private ValidatableResponse overviewEntry(Business business) {
        return overview().then().statusCode(200).rootPath("businesses.find { it.id == " + business.id() + " }");
    }

    private void setPrefetch(Business business, String body) {
        ops().contentType(ContentType.JSON).body(body).put(businessPath(business) + "/prefetch").then().statusCode(200);
    }

    private static String businessPath(Business business) {
        return "/api/ops/businesses/" + business.id();
    }

    private Response retry(Business business, String callSid) {
        return ops().post(businessPath(business) + "/recordings/" + callSid + "/retry");
    }

}
