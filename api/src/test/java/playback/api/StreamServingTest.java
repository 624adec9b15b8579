package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import playback.devstack.Fixtures.Call;
import playback.model.DownloadStatus;

import java.time.Duration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Serving a ready recording: headers, HEAD, download, status. Ranges and conditions: RangeConformanceTest. */
@QuarkusTest
class StreamServingTest {

    static final int SIZE = 100_000;

    @Inject
    Tenants tenants;

    Call call;
    byte[] audio;

    @BeforeEach
    void readyRecording() {
        call = tenants.callWithRecording(tenants.business());
        audio = Tenants.mp3(SIZE);
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(audio)));
        stream("explicit_user_action=true").then().statusCode(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> tenants.call(call).downloadStatus == DownloadStatus.READY);
    }

    Response stream(String query, String... headers) {
        var request = given().auth().oauth2(call.business().token());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request.get("/api/recordings/" + call.callSid() + "/stream" + (query.isEmpty() ? "" : "?" + query));
    }

    @Test
    void wholeFileWithValidators() {
        Response response = stream("");
        response.then().statusCode(200)
                .header("Content-Type", "audio/mpeg")
                .header("Content-Length", Integer.toString(SIZE))
                .header("Accept-Ranges", "bytes")
                .header("Cache-Control", "private");
        assertTrue(response.header("ETag").startsWith("\""), "a strong ETag");
        assertTrue(response.header("Last-Modified").endsWith("GMT"));
        assertArrayEquals(audio, response.asByteArray());
    }

    @Test
    void headHasTheHeadersAndNoBody() {
        Response head = given().auth().oauth2(call.business().token()).head("/api/recordings/" + call.callSid() + "/stream");
        head.then().statusCode(200).header("Content-Length", Integer.toString(SIZE)).header("Accept-Ranges", "bytes");
        assertEquals(0, head.asByteArray().length);
        given().auth().oauth2(call.business().token()).header("Range", "bytes=0-1")
                .head("/api/recordings/" + call.callSid() + "/stream").then().statusCode(206)
                .header("Content-Range", "bytes 0-1/" + SIZE).header("Content-Length", "2");
    }

    @Test
    void downloadIsAnAttachment() {
        Response response = given().auth().oauth2(call.business().token()).get("/api/recordings/" + call.callSid() + "/download");
        response.then().statusCode(200)
                .header("Content-Disposition", "attachment; filename=\"" + call.recordingSid() + ".mp3\"");
        assertArrayEquals(audio, response.asByteArray());
    }

    @Test
    void statusOfAReadyRecording() {
        given().auth().oauth2(call.business().token()).get("/api/recordings/" + call.callSid() + "/status")
                .then().statusCode(200)
                .body("call_sid", equalTo(call.callSid()))
                .body("status", equalTo("ready"))
                .body("retry_after", equalTo(null))
                .body("size_bytes", equalTo(SIZE))
                .body("content_type", equalTo("audio/mpeg"))
                .body("progress.bytes", equalTo(SIZE));
    }
}
