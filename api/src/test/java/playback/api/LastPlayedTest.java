package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.devstack.Fixtures.Call;
import playback.model.DownloadStatus;

import java.time.Duration;
import java.time.Instant;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/**
 * Serving a ready recording records its last play, which cache retention reads: a bearer GET of the
 * stream, a HEAD of a signed URL. Written off the request's thread, so the test waits for it.
 */
@QuarkusTest
class LastPlayedTest {

    private static final Duration LONG_AGO = Duration.ofHours(1);

    @Inject
    Tenants tenants;

    @Test
    void aStreamedRecordingHasItsLastPlayWritten() {
        Call call = readyRecording();
        playedLongAgo(call);

        given().auth().oauth2(call.business().token()).get("/api/recordings/" + call.callSid() + "/stream")
                .then().statusCode(200);

        awaitPlayedNow(call);
    }

    @Test
    void aHeadOfASignedUrlIsAPlayToo() {
        Call call = readyRecording();
        String streamUrl = given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/status").path("stream_url");
        playedLongAgo(call);

        given().head(streamUrl).then().statusCode(200);

        awaitPlayedNow(call);
    }

    private Call readyRecording() {
        Call call = tenants.callWithRecording(tenants.business());
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg")
                        .withBody(Tenants.mp3(10_000))));
        given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true").then().statusCode(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> tenants.call(call).downloadStatus == DownloadStatus.READY);
        return call;
    }

    private void playedLongAgo(Call call) {
        tenants.sql("update call_logs set recording_last_played_at = now() - make_interval(secs => ?3) "
                + "where business_id = ?1 and call_sid = ?2", call.business().id(), call.callSid(),
                (double) LONG_AGO.toSeconds());
    }

    private void awaitPlayedNow(Call call) {
        Instant recently = Instant.now().minus(Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> tenants.call(call).lastPlayedAt.isAfter(recently));
    }
}
