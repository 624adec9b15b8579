package playback.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.api.OtlpReceiver.Received;
import playback.devstack.Fixtures.Call;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One Play, one trace, across the api and the real worker process, both exporting to an in-memory
 * OTLP receiver: the api's request is the root; the worker's download is its child through the job
 * stream entry; the provider fetch and the commit are the download's children; the long-poll that the
 * commit answers is linked to the trace. The worker logs JSON here, and its lines of a download name it.
 */
@QuarkusTest
@TestProfile(Tracing.class)
class TracingTest {

    private static final String DOWNLOAD = "recording download";
    private static final String FETCH = "provider fetch";
    private static final String COMMIT = "recording commit";

    @Inject
    Tenants tenants;

    @Test
    void aPlayIsOneTraceFromTheRequestToTheLongPollAnswer() {
        Call call = tenants.callWithRecording(tenants.business());
        // Slow enough that the long-poll below is waiting when the worker commits.
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(Tenants.mp3(20_000)).withFixedDelay(1500)));

        given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true").then().statusCode(202);
        given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/status?wait=20")
                .then().statusCode(200).body("status", equalTo("ready"));

        OtlpReceiver traces = SystemUnderTest.traces();
        await().atMost(Duration.ofSeconds(15)).until(() -> find(traces, "api", SpanKind.SPAN_KIND_SERVER,
                call.callSid() + "/status").isPresent() && find(traces, "worker", null, DOWNLOAD, call)
                .map(download -> childrenOf(traces, download).size() >= 2).orElse(false));

        Received play = find(traces, "api", SpanKind.SPAN_KIND_SERVER, call.callSid() + "/stream").orElseThrow();
        Received download = find(traces, "worker", null, DOWNLOAD, call).orElseThrow();
        List<Received> children = childrenOf(traces, download);
        Received longPoll = find(traces, "api", SpanKind.SPAN_KIND_SERVER, call.callSid() + "/status").orElseThrow();

        assertEquals("", play.parentSpanId(), "the Play request is the root of its trace");
        String trace = play.traceId();
        Set<String> apiSpansOfTheTrace = traces.spans().stream()
                .filter(span -> span.service().equals("api") && span.traceId().equals(trace))
                .map(Received::spanId).collect(Collectors.toSet());
        assertEquals(trace, download.traceId(), "the worker's download is in the Play's trace");
        assertTrue(apiSpansOfTheTrace.contains(download.parentSpanId()),
                "the download's parent is a span of the api in that trace");
        assertEquals(SpanKind.SPAN_KIND_CONSUMER, download.span().getKind());
        assertEquals(Set.of(FETCH, COMMIT), children.stream().map(Received::name).collect(Collectors.toSet()),
                "the provider fetch and the commit are the download's children");
        assertTrue(children.stream().allMatch(span -> span.traceId().equals(trace) && span.service().equals("worker")));
        assertTrue(longPoll.traceId().equals(trace) || longPoll.linkedTraceIds().contains(trace),
                "the long-poll answered by the commit is linked to the Play's trace: " + longPoll.linkedTraceIds());
    }

    /** With JSON logs on, each line the worker writes while it handles a download names the download. */
    @Test
    void everyLogLineOfADownloadCarriesItsBusinessCallAndRun() throws IOException {
        Call call = tenants.callWithRecording(tenants.business());
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(Tenants.mp3(20_000))));
        given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true").then().statusCode(202);
        given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/status?wait=20")
                .then().statusCode(200).body("status", equalTo("ready"));
        long runId = tenants.runs(call).get(0).id;
        String ready = "run " + runId + " of call " + call.callSid() + ": ready";

        await().atMost(Duration.ofSeconds(10)).until(() -> workerLines(call).stream()
                .anyMatch(line -> line.path("message").asText().startsWith(ready)));

        List<JsonNode> lines = workerLines(call);
        assertTrue(lines.stream().anyMatch(line -> line.path("message").asText().contains(call.recordingSid())),
                "the provider client's line of the fetch is among them: " + lines);
        for (JsonNode line : lines) {
            JsonNode mdc = line.path("mdc");
            assertEquals(Long.toString(call.business().id()), mdc.path("business_id").asText(), line.toString());
            assertEquals(call.callSid(), mdc.path("call_sid").asText(), line.toString());
            assertEquals(Long.toString(runId), mdc.path("run_id").asText(), line.toString());
        }
    }

    /** The worker's JSON lines that mention the call or its recording. */
    private static List<JsonNode> workerLines(Call call) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(SystemUnderTest.WORKER_LOG)) {
            if (line.startsWith("{") && (line.contains(call.callSid()) || line.contains(call.recordingSid()))) {
                lines.add(json.readTree(line));
            }
        }
        return lines;
    }

    /** A signed stream URL is a capability: its token is in no exported span. */
    @Test
    void theStreamUrlsTokenIsNotExported() {
        Call call = tenants.callWithRecording(tenants.business());
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(Tenants.mp3(20_000))));
        given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true").then().statusCode(202);
        String streamUrl = given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/status?wait=20")
                .then().statusCode(200).body("status", equalTo("ready")).extract().path("stream_url");
        String token = streamUrl.substring(streamUrl.indexOf("token=") + "token=".length());

        given().get(streamUrl).then().statusCode(200);

        OtlpReceiver traces = SystemUnderTest.traces();
        await().atMost(Duration.ofSeconds(15)).until(() -> traces.spans().stream().anyMatch(span ->
                span.service().equals("api") && span.mentions(call.callSid() + "/stream") && span.mentions("REDACTED")));
        assertEquals(List.of(), traces.spans().stream().filter(span -> span.mentions(token)).map(Received::name).toList(),
                "spans that carry the stream URL's token");
    }

    private static List<Received> childrenOf(OtlpReceiver traces, Received parent) {
        return traces.spans().stream().filter(span -> span.parentSpanId().equals(parent.spanId())).toList();
    }

    /** The service's span of that kind (any, when null) whose name or attributes mention the text. */
    private static Optional<Received> find(OtlpReceiver traces, String service, SpanKind kind, String text) {
        return traces.spans().stream()
                .filter(span -> span.service().equals(service))
                .filter(span -> kind == null || span.span().getKind() == kind)
                .filter(span -> span.name().contains(text) || span.mentions(text))
                .findFirst();
    }

    private static Optional<Received> find(OtlpReceiver traces, String service, SpanKind kind, String name, Call call) {
        return traces.spans().stream()
                .filter(span -> span.service().equals(service) && span.name().equals(name) && span.mentions(call.callSid()))
                .filter(span -> kind == null || span.span().getKind() == kind)
                .findFirst();
    }
}
