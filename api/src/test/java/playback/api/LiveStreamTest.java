package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import playback.devstack.Fixtures.Call;
import playback.devstack.Stack;
import playback.live.LiveAudio;
import playback.model.CallLog;
import playback.model.DownloadStatus;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Playing a recording while it downloads: the status's {@code live_stream_url}, the long-poll that
 * answers when it is set, and the signed stream URL relaying the bytes of the worker receiving the
 * recording (the real worker process, the provider sending slowly), then serving the stored file.
 */
@QuarkusTest
class LiveStreamTest {

    /** 400 kB sent by the provider in 60 pieces over 6 s, its length announced. */
    static final int SIZE = 400_000;
    static final int PIECES = 60;
    static final int SENDING_MILLIS = 6_000;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Inject
    Tenants tenants;

    @Test
    void theStatusGivesALiveStreamUrlWhileItDownloadsAndALivePollAnswersBeforeReady() {
        Call call = slowRecording(SIZE).call();
        Tenants.play(call).then().statusCode(202);

        Response live = livePoll(call);

        live.then().statusCode(200).body("status", equalTo("downloading")).body("stream_url", nullValue());
        String url = live.path("live_stream_url");
        assertTrue(url.startsWith("/api/recordings/" + call.callSid() + "/stream?token="), url);
        assertEquals(DownloadStatus.DOWNLOADING, tenants.call(call).downloadStatus, "answered before the recording is ready");
        tenants.awaitStatus(call, DownloadStatus.READY, 30);
        Tenants.status(call).then().statusCode(200).body("status", equalTo("ready"))
                .body("live_stream_url", nullValue()).body("stream_url", notNullValue());
    }

    @Test
    void withoutLiveTheLongPollStillWaitsForReady() {
        Call call = slowRecording(SIZE).call();
        Tenants.play(call).then().statusCode(202);

        given().auth().oauth2(call.business().token()).get("/api/recordings/" + call.callSid() + "/status?wait=30")
                .then().statusCode(200).body("status", equalTo("ready")).body("live_stream_url", nullValue());
    }

    @Test
    void aListenerGetsTheFirstBytesLongBeforeTheDownloadEndsAndThenTheStoredRecording() throws Exception {
        Slow slow = slowRecording(SIZE);
        Call call = slow.call();
        byte[] audio = slow.audio();
        Tenants.play(call).then().statusCode(202);
        String url = livePoll(call).path("live_stream_url");

        HttpResponse<InputStream> answer = HTTP.send(request(url).build(), HttpResponse.BodyHandlers.ofInputStream());

        assertEquals(200, answer.statusCode());
        assertEquals("audio/mpeg", header(answer, "Content-Type"));
        assertEquals(Integer.toString(SIZE), header(answer, "Content-Length"));
        assertEquals("bytes", header(answer, "Accept-Ranges"));
        assertEquals("no-store", header(answer, "Cache-Control"));
        assertNull(header(answer, "ETag"), "no validator for bytes that are not final yet");
        assertNull(header(answer, "Last-Modified"));
        byte[] received;
        try (InputStream body = answer.body()) {
            byte[] first = body.readNBytes(1000);
            CallLog now = tenants.call(call);
            assertEquals(DownloadStatus.DOWNLOADING, now.downloadStatus, "the first bytes came while it downloads");
            assertTrue(now.progressBytes < SIZE / 2, "the first bytes came long before the end: " + now.progressBytes);
            byte[] rest = body.readAllBytes();
            received = Arrays.copyOf(first, first.length + rest.length);
            System.arraycopy(rest, 0, received, first.length, rest.length);
        }
        assertArrayEquals(audio, received);
        tenants.awaitStatus(call, DownloadStatus.READY, 30);
        assertArrayEquals(Files.readAllBytes(SystemUnderTest.STORAGE.resolve(tenants.call(call).storageKey)), received,
                "the listener heard the recording as it was stored");
    }

    @Test
    void aRangeFarAheadWaitsForItsBytes() throws Exception {
        Slow slow = slowRecording(SIZE);
        Call call = slow.call();
        byte[] audio = slow.audio();
        Tenants.play(call).then().statusCode(202);
        String url = livePoll(call).path("live_stream_url");
        assertTrue(tenants.call(call).progressBytes < 390_000, "the range is not received yet");

        HttpResponse<byte[]> tail = HTTP.send(request(url).header("Range", "bytes=390000-").build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(206, tail.statusCode());
        assertEquals("bytes 390000-399999/400000", header(tail, "Content-Range"));
        assertEquals("10000", header(tail, "Content-Length"));
        assertArrayEquals(Arrays.copyOfRange(audio, 390_000, SIZE), tail.body());
    }

    @Test
    void aHeadHasTheHeadersOnlyAndSeveralRangesGetTheWholeRecording() throws Exception {
        Slow slow = slowRecording(SIZE);
        Call call = slow.call();
        byte[] audio = slow.audio();
        Tenants.play(call).then().statusCode(202);
        String url = livePoll(call).path("live_stream_url");

        HttpResponse<byte[]> head = HTTP.send(request(url).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals(Integer.toString(SIZE), header(head, "Content-Length"));
        assertEquals(0, head.body().length);

        HttpResponse<byte[]> several = HTTP.send(request(url).header("Range", "bytes=0-9,100-109").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, several.statusCode());
        assertArrayEquals(audio, several.body());
    }

    @Test
    void aListenerThatGoesAwayClosesItsConnectionToTheWorker() throws Exception {
        Call call = slowRecording(SIZE).call();
        Tenants.play(call).then().statusCode(202);
        String url = livePoll(call).path("live_stream_url");
        int idle = connectionsToTheWorker();

        HttpResponse<InputStream> answer = HTTP.send(request(url).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, answer.statusCode());
        int listening;
        try (InputStream body = answer.body()) {
            body.readNBytes(1000);
            listening = connectionsToTheWorker();
            assertTrue(listening >= 1, "the relay reads from the worker");
        }

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> connectionsToTheWorker() < listening);
        assertEquals(DownloadStatus.DOWNLOADING, tenants.call(call).downloadStatus, "closed before the download ended");
        assertTrue(connectionsToTheWorker() <= idle, "no connection of the listener left");
    }

    /**
     * TCP connections established to the worker's port, as the kernel lists them (a JVM's IPv4 connection
     * may be an IPv6 socket, so both tables).
     */
    private static int connectionsToTheWorker() throws IOException {
        String port = String.format(":%04X", URI.create(SystemUnderTest.workerUrl()).getPort());
        int count = 0;
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            for (String line : Files.readAllLines(java.nio.file.Path.of(table))) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && fields[2].endsWith(port) && fields[3].equals("01")) {
                    count++;
                }
            }
        }
        return count;
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aDownloadThatFailsMidwayCutsItsListenerShortAndIsNeverReady() throws Exception {
        Call call = slowRecording(SIZE / 2).call();
        Tenants.play(call).then().statusCode(202);
        String url = livePoll(call).path("live_stream_url");

        HttpResponse<InputStream> answer = HTTP.send(request(url).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, answer.statusCode());
        long read;
        try (InputStream body = answer.body()) {
            read = drainCutShort(body);
        }
        assertTrue(read < SIZE, "read " + read + " bytes");

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            CallLog now = tenants.call(call);
            assertFalse(now.downloadStatus == DownloadStatus.READY, "a partial recording never becomes ready");
            return now.downloadStatus == DownloadStatus.FAILED
                    || (now.downloadStatus == DownloadStatus.QUEUED && now.error != null);
        });
        assertNull(tenants.call(call).storageKey, "nothing was stored");
    }

    @Test
    void whenTheWorkerNoLongerHasItOrCannotBeReachedTheStoredStateDecides() throws Exception {
        Call call = slowRecording(SIZE).call();
        Tenants.play(call).then().statusCode(202);
        String url = livePoll(call).path("live_stream_url");

        announceLiveAt(call, SystemUnderTest.workerUrl() + LiveAudio.PATH + Long.MAX_VALUE);
        HttpResponse<String> notLive = HTTP.send(request(url).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, notLive.statusCode());
        assertTrue(notLive.body().contains("\"status\":\"downloading\""), notLive.body());
        announceLiveAt(call, "http://127.0.0.1:" + Stack.freePort() + LiveAudio.PATH + "1");
        HttpResponse<String> unreachable = HTTP.send(request(url).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, unreachable.statusCode());
        assertNotNull(header(unreachable, "Retry-After"));

        tenants.awaitStatus(call, DownloadStatus.READY, 30);
        assertEquals(200, HTTP.send(request(url).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    /** The running run of the recording is said to be served at {@code url}: another worker's, or one gone. */
    private void announceLiveAt(Call call, String url) {
        tenants.sql("update recording_runs set live_url = ?1 where business_id = ?2 and call_sid = ?3 and live_url is not null",
                url, call.business().id(), call.callSid());
    }

    @Test
    void aTokenOfAnotherRecordingOrBusinessIsRefused() throws Exception {
        Call call = slowRecording(SIZE).call();
        Call other = slowRecording(SIZE).call();
        Tenants.play(call).then().statusCode(202);
        Tenants.play(other).then().statusCode(202);
        String url = livePoll(call).path("live_stream_url");
        String otherUrl = livePoll(other).path("live_stream_url");
        String otherToken = otherUrl.substring(otherUrl.indexOf("token=") + "token=".length());

        HttpResponse<String> refused = HTTP.send(request("/api/recordings/" + call.callSid() + "/stream?token=" + otherToken)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode());
        assertTrue(refused.body().contains("\"invalid_stream_token\""), refused.body());
        HttpResponse<String> tampered = HTTP.send(request(url + "0").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, tampered.statusCode());
        given().auth().oauth2(call.business().token()).get("/api/recordings/" + call.callSid() + "/stream")
                .then().statusCode(202).body("status", equalTo("downloading"));
    }

    @Test
    void onceStoredTheSameUrlServesTheStoredRecording() throws Exception {
        Slow slow = slowRecording(SIZE);
        Call call = slow.call();
        byte[] audio = slow.audio();
        Tenants.play(call).then().statusCode(202);
        String url = livePoll(call).path("live_stream_url");
        tenants.awaitStatus(call, DownloadStatus.READY, 30);

        HttpResponse<byte[]> stored = HTTP.send(request(url).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, stored.statusCode());
        assertNotNull(header(stored, "ETag"));
        assertNotNull(header(stored, "Last-Modified"));
        assertEquals("private", header(stored, "Cache-Control"));
        assertArrayEquals(audio, stored.body());
        HttpResponse<byte[]> range = HTTP.send(request(url).header("Range", "bytes=-10").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, range.statusCode());
        assertArrayEquals(Arrays.copyOfRange(audio, SIZE - 10, SIZE), range.body());
    }

    /** A recording and the audio the provider has for it. */
    record Slow(Call call, byte[] audio) {
    }

    /**
     * A new recording of a new business, which the provider announces as {@link #SIZE} bytes and sends
     * slowly: all of them, or only the first {@code sent} and then the connection drops.
     */
    private Slow slowRecording(int sent) {
        Call call = tenants.callWithRecording(tenants.business());
        byte[] audio = Tenants.mp3(SIZE);
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withHeader("Content-Length", Integer.toString(SIZE))
                        .withBody(Arrays.copyOf(audio, sent))
                        .withChunkedDribbleDelay(PIECES * sent / SIZE, (int) ((long) SENDING_MILLIS * sent / SIZE))));
        return new Slow(call, audio);
    }

    /** The long-poll of a player that starts on the first playable bytes. */
    private static Response livePoll(Call call) {
        Response answer = given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/status?wait=30&live=true");
        answer.then().statusCode(200);
        assertNotNull(answer.path("live_stream_url"), "a live stream URL before the wait ran out: " + answer.asString());
        return answer;
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path));
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** Reads to the end, which must be an abrupt one: a clean end of the answer fails the test. */
    private static long drainCutShort(InputStream body) {
        long read = 0;
        byte[] buffer = new byte[8192];
        try {
            for (int n = body.read(buffer); n != -1; n = body.read(buffer)) {
                read += n;
            }
        } catch (IOException cutShort) {
            return read;
        }
        fail("the answer ended cleanly after " + read + " bytes");
        return read;
    }
}
