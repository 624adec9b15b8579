package playback.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.model.CallLog;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and unusual input, one table: every request answers the status the contract gives, every
 * refusal is JSON with its error code, a call the provider may send is stored exactly as sent, a refused
 * webhook writes nothing and is logged once at WARN, and nothing anywhere is a 500.
 */
@QuarkusTest
class HostileInputTest {

    private static final String BASE = "http://localhost:8181";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SIP_URI = "sip:+15551234567@tenant-a.sip.example.com;transport=tls;user=phone";
    private static final String CLIENT = "client:support-agent-7f3a2c91-4b8e-4d0a-9c61-2e5b8f0d7a44@acme-plumbing";
    private static final List<LogRecord> WARNINGS = new ArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (WARNINGS) {
                    WARNINGS.add(record);
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @Inject
    Tenants tenants;

    /** What a case has to work with: a fresh business and the SIDs of a call that does not exist yet. */
    record Context(Business business, String callSid, String recordingSid) {
        Map<String, String> callStatus() {
            return Tenants.callStatus(business, callSid);
        }

        Map<String, String> recordingStatus() {
            return Tenants.recordingStatus(business, new Call(business, callSid, recordingSid));
        }
    }

    record Request(String method, String path, Map<String, String> headers, byte[] body) {
    }

    /** The rows a case leaves: one call whose stored values are checked, or none at all. */
    sealed interface Stored permits OneCall, NoCall {
    }

    record OneCall(Consumer<CallLog> check) implements Stored {
    }

    record NoCall() implements Stored {
    }

    /** named: a word the error message must contain (the field at fault), or null. */
    record Case(String name, Function<Context, Request> request, int status, String error, String named, Stored stored) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void captureWarnings() {
        Logger.getLogger("playback").addHandler(CAPTURE);
    }

    @AfterAll
    static void stopCapturing() {
        Logger.getLogger("playback").removeHandler(CAPTURE);
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // ------------------------------------------------------------ webhooks the provider may send: stored
        cases.add(accepted("From is a SIP URI over 64 characters", c -> with(c.callStatus(), "From", SIP_URI),
                call -> assertEquals(SIP_URI, call.fromNumber)));
        cases.add(accepted("From is a client identity", c -> with(c.callStatus(), "From", CLIENT),
                call -> assertEquals(CLIENT, call.fromNumber)));
        cases.add(accepted("To is a SIP URI", c -> with(c.callStatus(), "To", SIP_URI),
                call -> assertEquals(SIP_URI, call.toNumber)));
        cases.add(accepted("From in Hebrew letters", c -> with(c.callStatus(), "From", "client:דני-כהן"),
                call -> assertEquals("client:דני-כהן", call.fromNumber)));
        cases.add(accepted("From with a plus sign encoded as %2B", c -> with(c.callStatus(), "From", "+15551234567"),
                call -> assertEquals("+15551234567", call.fromNumber)));
        cases.add(accepted("CallStatus this version does not know", c -> with(c.callStatus(), "CallStatus", "transferred-to-queue"),
                call -> assertEquals("transferred-to-queue", call.callStatus)));
        cases.add(accepted("Direction of a SIP trunk", c -> with(c.callStatus(), "Direction", "trunking-originating"),
                call -> assertEquals("trunking-originating", call.direction)));
        cases.add(accepted("Direction in capitals", c -> with(c.callStatus(), "Direction", "INBOUND"),
                call -> assertEquals("inbound", call.direction)));
        cases.add(accepted("no From, To or Direction", c -> without(c.callStatus(), "From", "To", "Direction"),
                call -> assertEquals(List.of(), nonNull(call.fromNumber, call.toNumber, call.direction))));
        cases.add(accepted("parameters this version does not know", c -> with(with(c.callStatus(), "CallerName", "ACME"),
                "StirVerstat", "TN-Validation-Passed-A"), call -> assertEquals(184, call.durationSeconds)));
        cases.add(accepted("Timestamp in the year 9999", c -> with(c.callStatus(), "Timestamp", "9999-12-31T23:59:00Z"),
                call -> assertEquals(Instant.parse("9999-12-31T23:55:56Z"), call.startedAt)));
        cases.add(accepted("no Timestamp: the time it arrived", c -> without(c.callStatus(), "Timestamp"),
                call -> assertTrue(Duration.between(call.startedAt, Instant.now()).toMinutes() < 10, "started now")));
        cases.add(acceptedRecording("RecordingStatus this version does not know", c -> with(c.recordingStatus(),
                "RecordingStatus", "processing-transcript"), call -> {
                    assertEquals("processing-transcript", call.recordingStatus);
                    assertTrue(!call.hasPlayableRecording(), "only a completed recording is playable");
                }));
        cases.add(acceptedRecording("a recording in progress, RecordingDuration -1", c -> with(with(c.recordingStatus(),
                "RecordingStatus", "in-progress"), "RecordingDuration", "-1"), call -> {
                    assertEquals("in-progress", call.recordingStatus);
                    assertEquals(null, call.recordingDurationSeconds, "-1 is the provider's 'not known yet'");
                }));
        String longUrl = "https://api.example.com/r?" + "x".repeat(8000);
        cases.add(acceptedRecording("RecordingUrl of 8 KB", c -> with(c.recordingStatus(), "RecordingUrl", longUrl),
                call -> assertEquals(longUrl, call.recordingUrl)));

        // ------------------------------------------------------------ webhooks that cannot be the provider's
        cases.add(refusedWebhook("a 1 MB From", c -> signed("call-status", with(c.callStatus(), "From", "1".repeat(1 << 20))),
                413, "payload_too_large"));
        cases.add(refusedWebhook("Timestamp in the year -5000", c -> signed("call-status",
                with(c.callStatus(), "Timestamp", "-5000-01-01T00:00:00Z")), 400, "invalid_parameter"));
        cases.add(refusedWebhook("Timestamp in the year +294277", c -> signed("call-status",
                with(c.callStatus(), "Timestamp", "+294277-01-01T00:00:00Z")), 400, "invalid_parameter"));
        cases.add(refusedWebhook("Timestamp minus CallDuration before the year 1", c -> signed("call-status",
                with(c.callStatus(), "Timestamp", "0001-01-01T00:01:00Z")), 400, "invalid_parameter"));
        cases.add(refusedWebhook("Timestamp that is not a date", c -> signed("call-status",
                with(c.callStatus(), "Timestamp", "yesterday")), 400, "invalid_parameter"));
        cases.add(refusedWebhook("unsigned AccountSid=%zz", c -> raw("call-status", "AccountSid=%zz"), 400, "invalid_form"));
        cases.add(refusedWebhook("unsigned From=%", c -> raw("call-status", "From=%"), 400, "invalid_form"));
        cases.add(refusedWebhook("unsigned ==", c -> raw("call-status", "=="), 400, "invalid_form"));
        cases.add(refusedWebhook("invalid UTF-8", c -> raw("recording-status", "From=%C3%28"), 400, "invalid_form"));
        cases.add(refusedWebhook("a NUL character, signed", c -> signed("call-status", with(c.callStatus(), "From", "+1555\0")),
                400, "invalid_form"));
        cases.add(refusedWebhook("no signature", c -> new Request("POST", "/api/webhooks/twilio/call-status",
                Map.of("Content-Type", "application/x-www-form-urlencoded"), form(c.callStatus())), 403, "invalid_signature"));
        cases.add(refusedWebhook("a signature of other parameters", c -> tampered(c.callStatus()), 403, "invalid_signature"));
        cases.add(refusedWebhook("an account no business has", c -> signed("call-status",
                with(c.callStatus(), "AccountSid", Fixtures.sid("AC"))), 404, "unknown_account"));
        cases.add(refusedWebhook("a CallSid that is not a SID", c -> signed("call-status",
                with(c.callStatus(), "CallSid", "CA' or 1=1 --")), 400, "invalid_sid"));
        cases.add(refusedWebhook("CallDuration past an integer", c -> signed("call-status",
                with(c.callStatus(), "CallDuration", "99999999999")), 400, "invalid_parameter"));
        cases.add(refusedWebhook("no RecordingStatus", c -> signed("recording-status",
                without(c.recordingStatus(), "RecordingStatus")), 400, "invalid_parameter"));
        cases.add(refusedWebhook("a RecordingSid that is not a SID", c -> signed("recording-status",
                with(c.recordingStatus(), "RecordingSid", "RE123")), 400, "invalid_sid"));
        cases.add(refusedWebhook("a JSON body", c -> new Request("POST", "/api/webhooks/twilio/call-status",
                Map.of("Content-Type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8)), 415, "unsupported_media_type"));
        cases.add(refusedWebhook("GET on a webhook", c -> new Request("GET", "/api/webhooks/twilio/call-status", Map.of(), null),
                405, "method_not_allowed"));

        // ------------------------------------------------------------ JSON bodies
        cases.add(json("business_id a string", c -> "{\"business_id\":\"abc\"}", 400, "invalid_json", "business_id"));
        cases.add(json("business_id true", c -> "{\"business_id\":true}", 400, "invalid_json", "business_id"));
        cases.add(json("business_id an object", c -> "{\"business_id\":{\"id\":1}}", 400, "invalid_json", "business_id"));
        cases.add(json("business_id past a long", c -> "{\"business_id\":99999999999999999999}", 400, "invalid_json",
                "business_id"));
        cases.add(json("business_id of 5,000 digits", c -> "{\"business_id\":" + "9".repeat(5000) + "}", 400,
                "invalid_json", "business_id"));
        cases.add(json("user an array", c -> "{\"business_id\":" + c.business().id() + ",\"user\":[1]}", 400,
                "invalid_json", "user"));
        cases.add(json("user of 10,000 characters", c -> "{\"business_id\":" + c.business().id() + ",\"user\":\""
                + "u".repeat(10_000) + "\"}", 400, "invalid_body", "user"));
        cases.add(json("a top-level array", c -> "[{\"business_id\":1}]", 400, "invalid_json", "object"));
        cases.add(json("5,000 nested arrays", c -> "[".repeat(5000) + "]".repeat(5000), 400, "invalid_json", "object"));
        cases.add(json("5,000 nested objects", c -> "{\"business_id\":1,\"extra\":" + "{\"a\":".repeat(5000) + "1"
                + "}".repeat(5001), 400, "invalid_json", "nesting depth"));
        cases.add(json("truncated JSON", c -> "{\"business_id\":1", 400, "invalid_json", "not valid JSON"));
        cases.add(json("an empty body", c -> "", 400, "invalid_body", "business_id"));
        cases.add(json("an unknown business", c -> "{\"business_id\":987654321}", 404, "unknown_business", "business"));
        cases.add(new Case("token request as text/plain", c -> new Request("POST", "/api/dev/token",
                Map.of("Content-Type", "text/plain"), "{\"business_id\":1}".getBytes(StandardCharsets.UTF_8)),
                415, "unsupported_media_type", null, new NoCall()));

        // ------------------------------------------------------------ cursors and query parameters
        cases.add(read("a cursor in the year +294277", c -> "/api/calls?cursor=" + cursor("+294277-01-01T00:00:00Z|5"),
                400, "invalid_cursor"));
        cases.add(read("a cursor in the year -5000", c -> "/api/calls?cursor=" + cursor("-5000-01-01T00:00:00Z|5"),
                400, "invalid_cursor"));
        cases.add(read("a cursor with a negative id", c -> "/api/calls?cursor=" + cursor("2026-11-20T10:00:00Z|-1"),
                400, "invalid_cursor"));
        cases.add(read("a cursor that is not base64", c -> "/api/calls?cursor=%21%21%21", 400, "invalid_cursor"));
        cases.add(read("a cursor of 3,000 characters", c -> "/api/calls?cursor=" + "A".repeat(3000), 400,
                "invalid_cursor"));
        cases.add(read("limit 0", c -> "/api/calls?limit=0", 400, "invalid_limit"));
        cases.add(read("limit not a number", c -> "/api/calls?limit=1e3", 400, "invalid_limit"));
        cases.add(read("wait of 31 seconds", c -> "/api/recordings/" + c.callSid() + "/status?wait=31", 400, "invalid_wait"));
        cases.add(read("live neither true nor false", c -> "/api/recordings/" + c.callSid() + "/status?wait=5&live=yes",
                400, "invalid_live"));

        // ------------------------------------------------------------ paths
        cases.add(read("a call SID that is not one", c -> "/api/recordings/CA123/status", 400, "invalid_sid"));
        cases.add(read("a call SID with a NUL", c -> "/api/recordings/" + c.callSid().substring(0, 33) + "%00/status",
                400, "invalid_sid"));
        cases.add(read("a call SID of 5,000 characters", c -> "/api/recordings/CA" + "0".repeat(5000) + "/stream",
                400, "invalid_sid"));
        cases.add(read("a call nobody has", c -> "/api/recordings/" + c.callSid() + "/status", 404, "not_found"));
        cases.add(read("a path the api does not have", c -> "/api/recordings", 404, "not_found"));

        // ------------------------------------------------------------ headers
        cases.add(new Case("no Authorization", c -> new Request("GET", "/api/calls", Map.of(), null), 401,
                "unauthorized", null, new NoCall()));
        cases.add(new Case("a Basic Authorization", c -> new Request("GET", "/api/calls",
                Map.of("Authorization", "Basic YWxpY2U6c2VjcmV0"), null), 401, "unauthorized", null, new NoCall()));
        cases.add(new Case("a bearer token of 6 KB", c -> new Request("GET", "/api/calls",
                Map.of("Authorization", "Bearer " + "e".repeat(6000)), null), 401, "unauthorized", null, new NoCall()));
        cases.add(new Case("a tampered stream token", c -> new Request("GET", "/api/recordings/" + c.callSid()
                + "/stream?token=" + c.business().id() + ".9999999999.AAAA", Map.of(), null), 403, "invalid_stream_token",
                null, new NoCall()));

        // ------------------------------------------------------------ methods
        cases.add(read("DELETE on the calls", c -> "/api/calls", "DELETE", 405, "method_not_allowed"));
        cases.add(read("PUT on a stream", c -> "/api/recordings/" + c.callSid() + "/stream", "PUT", 405,
                "method_not_allowed"));
        cases.add(read("POST on the businesses", c -> "/api/dev/businesses", "POST", 405, "method_not_allowed"));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answersAsTheContractSays(Case hostile) throws Exception {
        Context context = new Context(tenants.business(), Fixtures.sid("CA"), Fixtures.sid("RE"));
        Request request = hostile.request().apply(context);
        int warningsBefore = warnings();

        HttpResponse<String> response = send(request);

        assertEquals(hostile.status(), response.statusCode(), hostile.name() + ": " + response.body());
        assertEquals("nosniff", response.headers().firstValue("X-Content-Type-Options").orElse(null),
                "every answer says nosniff");
        boolean webhook = request.path().startsWith("/api/webhooks/");
        if (hostile.error() == null) {
            assertEquals(0, warnings() - warningsBefore, "an accepted webhook logs no warning");
        } else {
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                    "every error is JSON: " + response.headers().map());
            JsonNode body = JSON.readTree(response.body());
            assertEquals(hostile.error(), body.path("error").asText(), response.body());
            assertTrue(body.path("message").isTextual() && !body.path("message").asText().isBlank(), response.body());
            if (hostile.named() != null) {
                assertTrue(body.path("message").asText().contains(hostile.named()),
                        "the message names " + hostile.named() + ": " + response.body());
            }
            assertEquals(webhook ? 1 : 0, warnings() - warningsBefore,
                    "a refused webhook is logged once at WARN, other refusals not at all: " + newWarnings(warningsBefore));
        }
        if (response.statusCode() == 405) {
            assertNotNull(response.headers().firstValue("Allow").orElse(null), "a 405 says what is allowed");
        }
        List<CallLog> calls = callsOf(context.business());
        if (hostile.stored() instanceof OneCall one) {
            assertEquals(1, calls.size(), "exactly one row for the call");
            assertEquals(context.callSid(), calls.get(0).callSid);
            one.check().accept(calls.get(0));
        } else {
            assertEquals(List.of(), calls, "a refused webhook, a read or a dev request writes no call");
        }
    }

    // ---------------------------------------------------------------- the table's vocabulary

    private static Case accepted(String name, Function<Context, Map<String, String>> form, Consumer<CallLog> check) {
        return new Case(name, c -> signed("call-status", form.apply(c)), 204, null, null, new OneCall(check));
    }

    private static Case acceptedRecording(String name, Function<Context, Map<String, String>> form,
                                          Consumer<CallLog> check) {
        return new Case(name, c -> signed("recording-status", form.apply(c)), 204, null, null, new OneCall(check));
    }

    private static Case refusedWebhook(String name, Function<Context, Request> request, int status, String error) {
        return new Case(name, request, status, error, null, new NoCall());
    }

    /** A token request whose answer must name what is wrong. */
    private static Case json(String name, Function<Context, String> body, int status, String error, String named) {
        return new Case(name, c -> new Request("POST", "/api/dev/token", Map.of("Content-Type", "application/json"),
                body.apply(c).getBytes(StandardCharsets.UTF_8)), status, error, named, new NoCall());
    }

    private static Case read(String name, Function<Context, String> path, int status, String error) {
        return read(name, path, "GET", status, error);
    }

    private static Case read(String name, Function<Context, String> path, String method, int status, String error) {
        return new Case(name, c -> new Request(method, path.apply(c), Map.of("Authorization",
                "Bearer " + c.business().token()), null), status, error, null, new NoCall());
    }

    private static Request signed(String event, Map<String, String> form) {
        String path = "/api/webhooks/twilio/" + event;
        return new Request("POST", path, Map.of("Content-Type", "application/x-www-form-urlencoded",
                "X-Twilio-Signature", Tenants.signature(BASE + path, form)), form(form));
    }

    private static Request tampered(Map<String, String> form) {
        Request request = signed("call-status", form);
        return new Request(request.method(), request.path(), request.headers(),
                form(with(form, "CallDuration", "1"))); // signed for 184 seconds
    }

    private static Request raw(String event, String body) {
        return new Request("POST", "/api/webhooks/twilio/" + event,
                Map.of("Content-Type", "application/x-www-form-urlencoded"), body.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] form(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")).getBytes(StandardCharsets.US_ASCII);
    }

    private static Map<String, String> with(Map<String, String> form, String name, String value) {
        Map<String, String> changed = new LinkedHashMap<>(form);
        changed.put(name, value);
        return changed;
    }

    private static Map<String, String> without(Map<String, String> form, String... names) {
        Map<String, String> changed = new LinkedHashMap<>(form);
        for (String name : names) {
            changed.remove(name);
        }
        return changed;
    }

    private static List<String> nonNull(String... values) {
        return Stream.of(values).filter(v -> v != null).toList();
    }

    private static String cursor(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- plumbing

    private static HttpResponse<String> send(Request request) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(BASE + request.path()))
                .timeout(Duration.ofSeconds(30))
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach(builder::header);
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<CallLog> callsOf(Business business) {
        return QuarkusTransaction.requiringNew().call(() -> CallLog.<CallLog>list("businessId", business.id()));
    }

    private static int warnings() {
        synchronized (WARNINGS) {
            return WARNINGS.size();
        }
    }

    private static List<String> newWarnings(int from) {
        synchronized (WARNINGS) {
            return WARNINGS.subList(from, WARNINGS.size()).stream().map(LogRecord::getMessage).toList();
        }
    }
}
