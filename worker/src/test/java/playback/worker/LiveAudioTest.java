package playback.worker;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import playback.model.DownloadStatus;
import playback.model.RunStatus;
import playback.queue.DownloadJob;
import playback.lifecycle.DownloadRuns;
import playback.live.LiveAudio;
import playback.worker.live.LiveDownload;
import playback.worker.live.LiveDownloads;
import playback.worker.service.DownloadProcessor;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A recording the worker is receiving is readable before it is complete, by whoever presents the
 * internal token: the bytes so far at once, the rest as they arrive, a byte range of bytes not yet
 * received once they are, byte for byte the recording the worker then stores.
 */
@QuarkusTest
@QuarkusTestResource(ProviderStub.class)
class LiveAudioTest {

    private static final int SIZE = 400_000;
    private static final String TOKEN = "test-live-token";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Inject
    TestRecordings recordings;

    @Inject
    LiveDownloads liveDownloads;

    @Inject
    DownloadProcessor processor;

    @Inject
    DownloadRuns runs;

    @Test
    void aListenerGetsTheFirstBytesWhileTheRecordingDownloadsAndThenAllOfIt() throws Exception {
        Downloading downloading = slowDownloadRunning();

        HttpResponse<InputStream> answer = HTTP.send(live(downloading.runId()).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, answer.statusCode());
        assertEquals("audio/mpeg", answer.headers().firstValue("Content-Type").orElse(""));
        byte[] received;
        try (InputStream body = answer.body()) {
            byte[] first = body.readNBytes(1000);
            assertEquals(LiveDownload.State.RECEIVING, state(downloading.runId()), "the first bytes came before the download ended");
            byte[] rest = body.readAllBytes();
            received = Arrays.copyOf(first, first.length + rest.length);
            System.arraycopy(rest, 0, received, first.length, rest.length);
        }
        assertArrayEquals(downloading.audio(), received);
        await().atMost(Duration.ofSeconds(10)).until(() -> recordings.call(downloading.call()).downloadStatus == DownloadStatus.READY);
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aDownloadStoppedMidwayCutsItsListenersShort() throws Exception {
        Downloading downloading = slowDownloadRunning();

        HttpResponse<InputStream> answer = HTTP.send(live(downloading.runId()).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, answer.statusCode());
        long read;
        try (InputStream body = answer.body()) {
            read = body.readNBytes(1000).length;
            // The worker shuts down: its download stops and its run goes back to the queue.
            processor.stopAll();
            read += drain(body);
        }
        assertTrue(read < SIZE, "the listener got " + read + " bytes, not a clean end of a partial recording");
        await().atMost(Duration.ofSeconds(20)).until(() -> recordings.call(downloading.call()).downloadStatus == DownloadStatus.READY);
    }

    /** Reads to the end; an abrupt end of the connection counts as the end (a response left hanging fails the test's timeout). */
    private static long drain(InputStream body) {
        long read = 0;
        try {
            for (int n = body.read(new byte[8192]); n != -1; n = body.read(new byte[8192])) {
                read += n;
            }
        } catch (IOException cutShort) {
            return read;
        }
        fail("the response ended cleanly after " + read + " more bytes");
        return read;
    }

    @Test
    void aRangeNotYetReceivedIsAnsweredWhenItArrives() throws Exception {
        Downloading downloading = slowDownloadRunning();

        HttpResponse<byte[]> tail = HTTP.send(live(downloading.runId()).header("Range", "bytes=390000-").build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(206, tail.statusCode());
        assertEquals("bytes 390000-399999/400000", tail.headers().firstValue("Content-Range").orElse(""));
        assertArrayEquals(Arrays.copyOfRange(downloading.audio(), 390_000, SIZE), tail.body());
        HttpResponse<String> past = HTTP.send(live(downloading.runId()).header("Range", "bytes=400000-").build(),
                HttpResponse.BodyHandlers.ofString());
        if (past.statusCode() != 404) {
            assertEquals(416, past.statusCode(), "past the end, unless the download is already over");
        }
    }

    @Test
    void theRunAnnouncesWhereTheApiReadsItsBytesUntilItIsStored() throws Exception {
        Downloading downloading = slowDownloadRunning();
        TestRecordings.Recording call = downloading.call();

        URI announced = await().atMost(Duration.ofSeconds(10))
                .until(() -> runs.liveSource(call.businessId(), call.callSid()).orElse(null), url -> url != null);
        assertEquals(URI.create(workerUrl() + LiveAudio.PATH + downloading.runId()), announced);
        HttpResponse<byte[]> read = HTTP.send(HttpRequest.newBuilder(announced).header(LiveAudio.TOKEN_HEADER, TOKEN).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(downloading.audio(), read.body());
        await().atMost(Duration.ofSeconds(10)).until(() -> recordings.call(call).downloadStatus == DownloadStatus.READY);
        assertTrue(runs.liveSource(call.businessId(), call.callSid()).isEmpty(), "a stored recording is read from storage");
    }

    @Test
    void withoutTheTokenOrForARunNotReceivingHereNothingIsServed() throws Exception {
        Downloading downloading = slowDownloadRunning();

        HttpRequest.Builder noToken = HttpRequest.newBuilder(URI.create(workerUrl() + LiveAudio.PATH + downloading.runId()));
        assertEquals(404, HTTP.send(noToken.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(404, HTTP.send(noToken.header(LiveAudio.TOKEN_HEADER, "wrong").build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        HttpResponse<String> other = HTTP.send(live(downloading.runId() + 1_000_000).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, other.statusCode());
        assertTrue(other.body().contains("not_live"), other.body());
    }

    /** A recording being downloaded, as the provider sends it, and its run. */
    private record Downloading(TestRecordings.Recording call, byte[] audio, long runId) {
    }

    /** A new recording the provider sends slowly, its download queued and now running. */
    private Downloading slowDownloadRunning() {
        TestRecordings.Recording call = recordings.business(1).get(0);
        byte[] audio = slowRecording(call);
        DownloadJob job = recordings.enqueue(call);
        await().atMost(Duration.ofSeconds(10)).until(() -> !recordings.runs(call).isEmpty()
                && recordings.runs(call).get(0).status == RunStatus.RUNNING);
        return new Downloading(call, audio, job.runId());
    }

    /** A recording the provider sends in 40 pieces over 4 seconds, with its length announced. */
    private static byte[] slowRecording(TestRecordings.Recording call) {
        byte[] audio = TestRecordings.mp3(SIZE);
        ProviderStub.server().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withHeader("Content-Length", Integer.toString(SIZE))
                        .withBody(audio).withChunkedDribbleDelay(40, 4000)));
        return audio;
    }

    /** How the run's live download stands; empty when it is over and gone. */
    private LiveDownload.State state(long runId) {
        LiveDownload live = liveDownloads.attach(runId).orElse(null);
        if (live == null) {
            return null;
        }
        try {
            return live.at(0).state();
        } finally {
            live.detach();
        }
    }

    private static HttpRequest.Builder live(long runId) {
        return HttpRequest.newBuilder(URI.create(workerUrl() + LiveAudio.PATH + runId))
                .header(LiveAudio.TOKEN_HEADER, TOKEN);
    }

    private static String workerUrl() {
        return "http://localhost:" + io.restassured.RestAssured.port;
    }
}
