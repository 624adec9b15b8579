package playback.api;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.devstack.Fixtures.Call;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.model.RecordingRun;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import playback.model.RunStatus;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transient failures are retried with backoff, a 404 is final, a 429 is honoured,
 * bad media is never stored or served, and the failure window answers 503 until it passes.
 * (Test backoff, from shared-model's test-jar: 1 s, 1 s, 1 s, 3 s: five attempts, then a 3 s window.)
 */
@QuarkusTest
class FailureHandlingTest {

    @Inject
    Tenants tenants;

    @Test
    void twoServerErrorsThenSuccessEndsReadyWithTheAttemptsInRuns() {
        Call call = tenants.callWithRecording(tenants.business());
        String scenario = "flaky-" + call.recordingSid();
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).inScenario(scenario)
                .whenScenarioStateIs(STARTED).willReturn(aResponse().withStatus(500)).willSetStateTo("second"));
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).inScenario(scenario)
                .whenScenarioStateIs("second").willReturn(aResponse().withStatus(500)).willSetStateTo("third"));
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).inScenario(scenario)
                .whenScenarioStateIs("third").willReturn(audio()));

        Tenants.play(call).then().statusCode(202);

        tenants.awaitStatus(call, DownloadStatus.READY, 20);
        List<RecordingRun> runs = tenants.runs(call);
        assertEquals(List.of(RunStatus.FAILED, RunStatus.FAILED, RunStatus.SUCCEEDED), runs.stream().map(run -> run.status).toList());
        assertEquals(List.of(1, 2, 3), runs.stream().map(run -> run.attempt).toList());
        assertEquals(500, runs.get(0).httpStatus);
        assertEquals("provider_unavailable", runs.get(0).error);
        assertEquals(0, tenants.call(call).failCount, "a success clears the failure count");
        Tenants.play(call).then().statusCode(200);
    }

    @Test
    void notFoundIsTerminalAndTheStreamAnswers410() {
        Call call = tenants.callWithRecording(tenants.business());
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).willReturn(aResponse().withStatus(404)));

        Tenants.play(call).then().statusCode(202);

        tenants.awaitStatus(call, DownloadStatus.FAILED, 20);
        Tenants.status(call).then().statusCode(200).body("status", equalTo("failed"))
                .body("error", equalTo("provider_not_found")).body("retry_after", equalTo(null));
        Tenants.play(call).then().statusCode(410).body("status", equalTo("failed"));
        assertEquals(1, tenants.runs(call).size(), "a terminal failure is not retried");
        SystemUnderTest.provider().verify(2, getRequestedFor(urlPathEqualTo(call.providerPath())));
    }

    @Test
    void rateLimitIsHonouredBeforeTheNextAttempt() {
        Call call = tenants.callWithRecording(tenants.business());
        String scenario = "limited-" + call.recordingSid();
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).inScenario(scenario)
                .whenScenarioStateIs(STARTED).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7"))
                .willSetStateTo("open"));
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).inScenario(scenario)
                .whenScenarioStateIs("open").willReturn(audio()));

        Tenants.play(call).then().statusCode(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> tenants.runs(call).size() == 2);
        Tenants.status(call).then().body("status", equalTo("queued")).body("error", equalTo("provider_rate_limited"))
                .body("retry_after", notNullValue());

        tenants.awaitStatus(call, DownloadStatus.READY, 20);
        List<ServeEvent> fetches = SystemUnderTest.provider().getAllServeEvents().stream()
                .filter(event -> event.getRequest().getUrl().startsWith(call.providerPath()))
                .sorted(Comparator.comparing(event -> event.getRequest().getLoggedDate()))
                .toList();
        assertEquals(2, fetches.size());
        long gap = fetches.get(1).getRequest().getLoggedDate().getTime() - fetches.get(0).getRequest().getLoggedDate().getTime();
        assertTrue(gap >= 7000, "the second attempt came " + gap + " ms after the 429 with Retry-After: 7");
    }

    @Test
    void emptyBodyIsInvalidMedia() throws Exception {
        assertInvalidMediaNeverServed(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(new byte[0]));
    }

    @Test
    void xmlBodyWithStatus200IsInvalidMedia() throws Exception {
        assertInvalidMediaNeverServed(aResponse().withStatus(200).withHeader("Content-Type", "application/xml")
                .withBody("<?xml version=\"1.0\"?><TwilioResponse><RestException><Status>500</Status></RestException></TwilioResponse>"
                        .getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void bodyShorterThanContentLengthIsInvalidMedia() throws Exception {
        assertInvalidMediaNeverServed(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                .withHeader("Content-Length", "200000").withBody(Tenants.mp3(5_000)));
    }

    /** Bad media is retried, never served nor stored; once failed, a Play inside the backoff window gets 503 with Retry-After. */
    private void assertInvalidMediaNeverServed(ResponseDefinitionBuilder badAnswer) throws Exception {
        Call call = tenants.callWithRecording(tenants.business());
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath())).willReturn(badAnswer));

        Tenants.play(call).then().statusCode(202);
        await("the recording ends failed").atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    assertNotEquals(200, Tenants.play(call).statusCode(), "invalid media is never served");
                    return tenants.call(call).downloadStatus == DownloadStatus.FAILED;
                });

        CallLog failed = tenants.call(call);
        assertEquals("invalid_media", failed.error);
        assertEquals(5, failed.failCount, "five attempts, then failed");
        assertEquals(5, tenants.runs(call).size());
        assertFalse(storedFiles(call), "nothing is left in storage");

        Response refused = Tenants.play(call);
        assertEquals(503, refused.statusCode(), "inside the backoff window");
        assertEquals("failed", refused.path("status"));
        int retryAfter = Integer.parseInt(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 3, "Retry-After " + retryAfter);

        Response afterWindow = await("the backoff window passes").atMost(Duration.ofSeconds(retryAfter + 10L))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Tenants.play(call), answer -> answer.statusCode() != 503);
        afterWindow.then().statusCode(202).body("status", equalTo("queued"));
        List<RecordingRun> runs = tenants.runs(call);
        assertTrue(runs.size() >= 6, "an explicit request after the window enqueues again");
        assertEquals(1, runs.get(5).attempt, "a new cycle of attempts begins");
    }

    private static boolean storedFiles(Call call) throws Exception {
        Path dir = SystemUnderTest.STORAGE.resolve(Long.toString(call.business().id()));
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(file -> file.getFileName().toString().startsWith(call.callSid()));
        }
    }

    private static ResponseDefinitionBuilder audio() {
        return aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(Tenants.mp3(32_000));
    }

}
