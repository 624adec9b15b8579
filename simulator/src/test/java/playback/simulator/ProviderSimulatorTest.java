package playback.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator embedded on free ports, driven over real HTTP like the worker drives the provider. */
class ProviderSimulatorTest {

    private static final String ACCOUNT = "AC" + "1".repeat(32);
    private static final String OTHER_ACCOUNT = "AC" + "2".repeat(32);
    private static final String RECORDING = "RE" + "a".repeat(32);
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(
            (SimulatorConfig.DEFAULT_ACCOUNT_SID + ":" + SimulatorConfig.DEFAULT_AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ProviderSimulator simulator;
    private static HttpClient http;

    @BeforeAll
    static void start() throws IOException {
        simulator = ProviderSimulator.start(SimulatorConfig.ephemeral());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @BeforeEach
    void reset() throws Exception {
        assertEquals(204, post("/sim/reset", "").statusCode());
    }

    @Test
    void healthIsUp() throws Exception {
        HttpResponse<String> health = get(simulator.apiUri() + "/sim/health", null);
        assertEquals(200, health.statusCode());
        assertEquals("UP", JSON.readTree(health.body()).path("status").asText());
    }

    @Test
    void apiRequiresBasicAuth() throws Exception {
        HttpResponse<String> anonymous = get(recordingUrl(ACCOUNT, RECORDING, "mp3"), null);
        assertEquals(401, anonymous.statusCode());
        assertEquals(20003, JSON.readTree(anonymous.body()).path("code").asInt());
        String wrong = "Basic " + Base64.getEncoder().encodeToString((SimulatorConfig.DEFAULT_ACCOUNT_SID + ":nope")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(401, get(recordingUrl(ACCOUNT, RECORDING, "mp3"), wrong).statusCode());
    }

    @Test
    void malformedSidsAreNotFound() throws Exception {
        assertEquals(404, get(recordingUrl("ACnothex", RECORDING, "mp3"), AUTH).statusCode());
        assertEquals(404, get(recordingUrl(ACCOUNT, "RE123", "mp3"), AUTH).statusCode());
    }

    @Test
    void redirectsToSignedStorageOnAnotherPort() throws Exception {
        HttpResponse<String> redirect = get(recordingUrl(ACCOUNT, RECORDING, "mp3"), AUTH);
        assertEquals(302, redirect.statusCode());
        URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
        assertEquals("localhost", location.getHost());
        assertEquals(simulator.storageUri().getPort(), location.getPort());
        assertNotEquals(simulator.apiUri().getPort(), location.getPort());
        assertTrue(location.getQuery().contains("Signature="), location.toString());
    }

    @Test
    void storageRejectsCredentialsAndBadSignatures() throws Exception {
        URI location = redirect(ACCOUNT, RECORDING, "mp3");
        HttpResponse<String> leaked = get(location.toString(), AUTH);
        assertEquals(403, leaked.statusCode());
        assertEquals("credentials_leaked", JSON.readTree(leaked.body()).path("error").asText());
        String tampered = location.toString().replace(RECORDING, "RE" + "b".repeat(32));
        assertEquals(403, get(tampered, null).statusCode());
        String unsigned = location.toString().substring(0, location.toString().indexOf('?'));
        assertEquals(403, get(unsigned, null).statusCode());
    }

    @Test
    void defaultFetchIsThreeMinutesOfMp3() throws Exception {
        HttpResponse<byte[]> audio = download(ACCOUNT, RECORDING, "mp3");
        assertEquals(200, audio.statusCode());
        assertEquals("audio/mpeg", audio.headers().firstValue("Content-Type").orElseThrow());
        byte[] body = audio.body();
        assertEquals(0xFF, body[0] & 0xFF);
        assertEquals(0xFA, body[1] & 0xFE, "MPEG-1 Layer III frame sync");
        assertEquals(body.length, audio.headers().firstValueAsLong("Content-Length").orElseThrow());
        // 180 s of 128 kbps CBR is 2,880,000 bytes; whole 26 ms frames overshoot by less than one frame
        assertTrue(body.length >= 2_880_000 && body.length < 2_880_000 + 418, "length " + body.length);
    }

    @Test
    void wavIsEightKilohertzPcmOfTheScriptedDuration() throws Exception {
        script(RECORDING, "{\"duration_seconds\":10}");
        HttpResponse<byte[]> audio = download(ACCOUNT, RECORDING, "wav");
        assertEquals(200, audio.statusCode());
        assertEquals("audio/wav", audio.headers().firstValue("Content-Type").orElseThrow());
        byte[] body = audio.body();
        assertEquals(44 + 10 * 8000 * 2, body.length);
        assertEquals("RIFF", new String(body, 0, 4, StandardCharsets.US_ASCII));
        assertEquals("WAVE", new String(body, 8, 4, StandardCharsets.US_ASCII));
    }

    @Test
    void sizeBytesIsExact() throws Exception {
        script(RECORDING, "{\"size_bytes\":12345}");
        HttpResponse<byte[]> audio = download(ACCOUNT, RECORDING, "mp3");
        assertEquals(12345, audio.body().length);
        assertEquals(12345, audio.headers().firstValueAsLong("Content-Length").orElseThrow());
    }

    @Test
    void failFirstFailsThenRedirects() throws Exception {
        script(RECORDING, "{\"fail_first\":2}");
        assertEquals(500, get(recordingUrl(ACCOUNT, RECORDING, "mp3"), AUTH).statusCode());
        assertEquals(500, get(recordingUrl(ACCOUNT, RECORDING, "mp3"), AUTH).statusCode());
        assertEquals(302, get(recordingUrl(ACCOUNT, RECORDING, "mp3"), AUTH).statusCode());
    }

    @Test
    void rateLimitCarriesRetryAfter() throws Exception {
        script(RECORDING, "{\"fail_first\":1,\"fail_status\":429,\"retry_after\":7}");
        HttpResponse<String> limited = get(recordingUrl(ACCOUNT, RECORDING, "mp3"), AUTH);
        assertEquals(429, limited.statusCode());
        assertEquals("7", limited.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(302, get(recordingUrl(ACCOUNT, RECORDING, "mp3"), AUTH).statusCode());
    }

    @Test
    void missingIsAlwaysNotFound() throws Exception {
        script(RECORDING, "{\"missing\":true}");
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> missing = get(recordingUrl(ACCOUNT, RECORDING, "mp3"), AUTH);
            assertEquals(404, missing.statusCode());
            assertEquals(20404, JSON.readTree(missing.body()).path("code").asInt());
        }
    }

    @Test
    void latencyDelaysTheApiAnswer() throws Exception {
        script(RECORDING, "{\"latency_ms\":300}");
        long started = System.nanoTime();
        assertEquals(302, get(recordingUrl(ACCOUNT, RECORDING, "mp3"), AUTH).statusCode());
        assertTrue(System.nanoTime() - started >= 300_000_000L);
    }

    @Test
    void emptyIsZeroBytesOfAudio() throws Exception {
        script(RECORDING, "{\"empty\":true}");
        HttpResponse<byte[]> empty = download(ACCOUNT, RECORDING, "mp3");
        assertEquals(200, empty.statusCode());
        assertEquals(0, empty.body().length);
        assertEquals(0, empty.headers().firstValueAsLong("Content-Length").orElseThrow());
    }

    @Test
    void notAudioIsAnXmlErrorWithStatus200() throws Exception {
        script(RECORDING, "{\"not_audio\":true}");
        HttpResponse<byte[]> xml = download(ACCOUNT, RECORDING, "mp3");
        assertEquals(200, xml.statusCode());
        assertEquals("application/xml", xml.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(new String(xml.body(), StandardCharsets.UTF_8).contains("<RestException>"));
    }

    @Test
    void truncateClosesTheConnectionHalfway() throws Exception {
        script(RECORDING, "{\"truncate\":true,\"size_bytes\":200000}");
        URI location = redirect(ACCOUNT, RECORDING, "mp3");
        // A raw socket, because java.net.http drops bytes it has buffered once the connection fails.
        byte[] response;
        try (Socket socket = new Socket(location.getHost(), location.getPort())) {
            socket.getOutputStream().write(("GET " + location.getRawPath() + "?" + location.getRawQuery()
                    + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            response = socket.getInputStream().readAllBytes(); // until the server closes
        }
        String text = new String(response, StandardCharsets.ISO_8859_1);
        int bodyStart = text.indexOf("\r\n\r\n") + 4;
        assertTrue(text.startsWith("HTTP/1.1 200"), text.substring(0, Math.min(200, text.length())));
        assertTrue(text.substring(0, bodyStart).toLowerCase().contains("content-length: 200000"));
        assertEquals(100000, response.length - bodyStart);
        assertEquals(0, stats().path("in_flight").asInt());
    }

    @Test
    void throttledBodyTakesItsTime() throws Exception {
        script(RECORDING, "{\"size_bytes\":40000,\"bytes_per_second\":100000}");
        long started = System.nanoTime();
        assertEquals(40000, download(ACCOUNT, RECORDING, "mp3").body().length);
        // 0.4 s less the last 1/20 s chunk, which is sent without waiting after it
        assertTrue(System.nanoTime() - started >= 330_000_000L, "40 kB at 100 kB/s takes about 0.4 s");
    }

    @Test
    void scriptsRejectUnknownFieldsAndBadValues() throws Exception {
        HttpResponse<String> unknown = post("/sim/recordings/" + RECORDING, "{\"latency\":5}");
        assertEquals(400, unknown.statusCode());
        assertEquals("invalid_script", JSON.readTree(unknown.body()).path("error").asText());
        assertEquals(400, post("/sim/recordings/" + RECORDING, "{\"fail_status\":200}").statusCode());
        assertEquals(400, post("/sim/recordings/" + RECORDING, "not json").statusCode());
        assertEquals(404, post("/sim/recordings/nope", "{}").statusCode());
    }

    @Test
    void scriptCanBeReadBack() throws Exception {
        JsonNode defaults = JSON.readTree(get(simulator.apiUri() + "/sim/recordings/" + RECORDING, null).body());
        assertEquals(500, defaults.path("fail_status").asInt());
        assertTrue(defaults.path("bytes_per_second").isNull());
        script(RECORDING, "{\"fail_first\":3,\"missing\":true}");
        JsonNode script = JSON.readTree(get(simulator.apiUri() + "/sim/recordings/" + RECORDING, null).body());
        assertEquals(3, script.path("fail_first").asInt());
        assertTrue(script.path("missing").asBoolean());
    }

    @Test
    void statsCountFetchesAndDownloadsInFlight() throws Exception {
        get(recordingUrl(ACCOUNT, RECORDING, "mp3"), null);          // a failed fetch counts too
        URI location = redirect(ACCOUNT, RECORDING, "mp3");
        JsonNode between = stats();
        assertEquals(2, between.path("fetches").path(RECORDING).asInt());
        assertEquals(1, between.path("in_flight").asInt(), "redirected, not yet downloaded");
        assertEquals(200, http.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode());
        JsonNode after = stats();
        assertEquals(0, after.path("in_flight").asInt());
        assertEquals(0, after.path("in_flight_by_account").path(ACCOUNT).asInt());
        assertEquals(1, after.path("max_in_flight_by_account").path(ACCOUNT).asInt());
    }

    @Test
    void concurrentThrottledDownloadsAreAllInFlightAtOnce() throws Exception {
        List<CompletableFuture<HttpResponse<byte[]>>> downloads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String recording = String.format("RE%032x", i + 1);
            script(recording, "{\"size_bytes\":64000,\"bytes_per_second\":64000}");
            String account = i < 5 ? ACCOUNT : OTHER_ACCOUNT;
            downloads.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return download(account, recording, "mp3");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<HttpResponse<byte[]>> download : downloads) {
            assertEquals(64000, download.get().body().length);
        }
        JsonNode stats = stats();
        assertEquals(5, stats.path("max_in_flight_by_account").path(ACCOUNT).asInt());
        assertEquals(1, stats.path("max_in_flight_by_account").path(OTHER_ACCOUNT).asInt());
        assertEquals(List.of(String.format("RE%032x", 1), String.format("RE%032x", 2), String.format("RE%032x", 3),
                        String.format("RE%032x", 4), String.format("RE%032x", 5)),
                JSON.convertValue(stats.path("in_flight_at_max_by_account").path(ACCOUNT), List.class),
                "the recordings in flight when the account's maximum was reached");
        assertEquals(6, stats.path("max_in_flight").asInt());
        assertEquals(0, stats.path("in_flight").asInt());
        assertEquals(1, stats.path("fetches").path(String.format("RE%032x", 1)).asInt());
    }

    @Test
    void aClientThatFetchesAgainOnReadingTheLastByteIsNeverCountedTwiceInFlight() throws Exception {
        script(RECORDING, "{\"size_bytes\":2000}");
        String failing = String.format("RE%032x", 7);
        script(failing, "{\"fail_first\":1000,\"fail_status\":503}");
        for (int i = 0; i < 50; i++) {
            assertEquals(2000, download(ACCOUNT, RECORDING, "mp3").body().length);
            assertEquals(0, stats().path("in_flight").asInt(), "the download ended before its last byte was read");
            assertEquals(503, get(recordingUrl(ACCOUNT, failing, "mp3"), AUTH).statusCode());
        }
        JsonNode stats = stats();
        assertEquals(1, stats.path("max_in_flight_by_account").path(ACCOUNT).asInt(),
                "each download and each refusal ended before the client read its last byte");
        assertEquals(0, stats.path("in_flight").asInt());
    }

    @Test
    void resetClearsCountersAndScripts() throws Exception {
        script(RECORDING, "{\"fail_first\":1}");
        assertEquals(500, get(recordingUrl(ACCOUNT, RECORDING, "mp3"), AUTH).statusCode());

        assertEquals(204, post("/sim/reset?keep_scripts=true", "").statusCode());
        assertTrue(stats().path("fetches").isEmpty());
        assertEquals(500, get(recordingUrl(ACCOUNT, RECORDING, "mp3"), AUTH).statusCode(), "script kept, count restarted");

        assertEquals(204, post("/sim/reset", "").statusCode());
        JsonNode stats = stats();
        assertTrue(stats.path("fetches").isEmpty());
        assertEquals(0, stats.path("max_in_flight").asInt());
        assertTrue(stats.path("max_in_flight_by_account").isEmpty());
        assertEquals(302, get(recordingUrl(ACCOUNT, RECORDING, "mp3"), AUTH).statusCode(), "script gone");
    }

    // --- helpers

    private static String recordingUrl(String account, String recording, String extension) {
        return simulator.apiUri() + "/2010-04-01/Accounts/" + account + "/Recordings/" + recording + "." + extension;
    }

    private static URI redirect(String account, String recording, String extension) throws Exception {
        HttpResponse<String> redirect = get(recordingUrl(account, recording, extension), AUTH);
        assertEquals(302, redirect.statusCode());
        return URI.create(redirect.headers().firstValue("Location").orElseThrow());
    }

    /** What a well-behaved client does: credentials to the API only, then the signed URL without them. */
    private static HttpResponse<byte[]> download(String account, String recording, String extension) throws Exception {
        return http.send(HttpRequest.newBuilder(redirect(account, recording, extension)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(simulator.apiUri() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void script(String recording, String json) throws Exception {
        assertEquals(204, post("/sim/recordings/" + recording, json).statusCode());
    }


    private static JsonNode stats() throws Exception {
        return JSON.readTree(get(simulator.apiUri() + "/sim/stats", null).body());
    }
}
