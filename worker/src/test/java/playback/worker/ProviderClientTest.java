package playback.worker;

import com.github.tomakehurst.wiremock.http.Fault;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.model.FailureReason;
import playback.worker.provider.AudioFormat;
import playback.worker.provider.DownloadControl;
import playback.worker.provider.DownloadFailure;
import playback.worker.provider.ProviderClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The provider client: auth, redirects without credentials, and the classification of bad answers. */
@QuarkusTest
@QuarkusTestResource(ProviderStub.class)
class ProviderClientTest {

    private static final String ACCOUNT = "AC0123456789abcdef0123456789abcdef";
    private static final String BASIC_AUTH = "Basic QUMwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDp0ZXN0LXByb3ZpZGVyLWF1dGgtdG9rZW4=";

    @Inject
    ProviderClient client;

    private static String path(String recordingSid) {
        return "/2010-04-01/Accounts/" + ACCOUNT + "/Recordings/" + recordingSid + ".mp3";
    }

    private ProviderClient.Fetched fetch(String recordingSid, Path target) throws DownloadFailure {
        return client.fetch(ACCOUNT, recordingSid, target, new DownloadControl(), (bytes, total) -> { });
    }

    @Test
    void followsRedirectWithoutForwardingCredentials() throws Exception {
        String recording = TestRecordings.sid("RE");
        byte[] audio = TestRecordings.mp3(50_000);
        String storage = "/signed-storage/" + recording + "?X-Signature=abc";
        ProviderStub.server().stubFor(get(urlPathEqualTo(path(recording)))
                .willReturn(aResponse().withStatus(302).withHeader("Location",
                        ProviderStub.server().baseUrl().replace("localhost", "127.0.0.1") + storage)));
        ProviderStub.server().stubFor(get(urlPathEqualTo("/signed-storage/" + recording))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(audio)));
        Path target = Files.createTempFile("fetch", ".mp3");

        ProviderClient.Fetched fetched = fetch(recording, target);

        assertEquals(AudioFormat.MP3, fetched.format());
        assertEquals(audio.length, fetched.size());
        assertArrayEquals(audio, Files.readAllBytes(target));
        ProviderStub.server().verify(getRequestedFor(urlPathEqualTo(path(recording)))
                .withHeader("Authorization", equalTo(BASIC_AUTH)));
        ProviderStub.server().verify(getRequestedFor(urlPathEqualTo("/signed-storage/" + recording))
                .withHeader("Authorization", absent()));
    }

    @Test
    void notFoundIsCheckedOnceMoreBeforeItIsFinal() throws Exception {
        String recording = TestRecordings.sid("RE");
        ProviderStub.server().stubFor(get(urlPathEqualTo(path(recording))).willReturn(aResponse().withStatus(404)));

        DownloadFailure failure = assertThrows(DownloadFailure.class,
                () -> fetch(recording, Files.createTempFile("fetch", ".mp3")));

        assertEquals(FailureReason.PROVIDER_NOT_FOUND, failure.reason());
        ProviderStub.server().verify(2, getRequestedFor(urlPathEqualTo(path(recording))));
    }

    @Test
    void rateLimitCarriesRetryAfter() {
        String recording = TestRecordings.sid("RE");
        ProviderStub.server().stubFor(get(urlPathEqualTo(path(recording)))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")));

        DownloadFailure failure = assertThrows(DownloadFailure.class,
                () -> fetch(recording, Files.createTempFile("fetch", ".mp3")));

        assertEquals(FailureReason.PROVIDER_RATE_LIMITED, failure.reason());
        assertEquals(Duration.ofSeconds(7), failure.retryAfter());
    }

    @Test
    void serverErrorIsTransient() {
        String recording = TestRecordings.sid("RE");
        ProviderStub.server().stubFor(get(urlPathEqualTo(path(recording))).willReturn(aResponse().withStatus(503)));

        DownloadFailure failure = assertThrows(DownloadFailure.class,
                () -> fetch(recording, Files.createTempFile("fetch", ".mp3")));

        assertEquals(FailureReason.PROVIDER_UNAVAILABLE, failure.reason());
        assertEquals(503, failure.httpStatus());
    }

    @Test
    void emptyBodyIsInvalidMedia() {
        assertInvalidMedia(aResponseOf("audio/mpeg", new byte[0]));
    }

    @Test
    void xmlErrorWithStatus200IsInvalidMedia() {
        assertInvalidMedia(aResponseOf("application/xml",
                "<?xml version=\"1.0\"?><TwilioResponse><RestException/></TwilioResponse>".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void textDisguisedAsAudioIsInvalidMedia() {
        assertInvalidMedia(aResponseOf("audio/mpeg", "<html>error</html>".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void bodyShorterThanContentLengthIsInvalidMedia() {
        assertInvalidMedia(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                .withHeader("Content-Length", "100000").withBody(TestRecordings.mp3(1_000)));
    }

    @Test
    void connectionDroppedMidBodyIsNotStored() throws Exception {
        String recording = TestRecordings.sid("RE");
        ProviderStub.server().stubFor(get(urlPathEqualTo(path(recording)))
                .willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));

        assertThrows(DownloadFailure.class, () -> fetch(recording, Files.createTempFile("fetch", ".mp3")));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder aResponseOf(String type, byte[] body) {
        return aResponse().withStatus(200).withHeader("Content-Type", type).withBody(body);
    }

    private void assertInvalidMedia(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder response) {
        String recording = TestRecordings.sid("RE");
        ProviderStub.server().stubFor(get(urlPathEqualTo(path(recording))).willReturn(response));

        DownloadFailure failure = assertThrows(DownloadFailure.class,
                () -> fetch(recording, Files.createTempFile("fetch", ".mp3")));

        assertEquals(FailureReason.INVALID_MEDIA, failure.reason(), failure.getMessage());
    }
}
