package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.devstack.Fixtures.Call;
import playback.model.DownloadStatus;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code delivery=redirect}: a ready recording of the bucket is a 307 to a presigned URL of the store. */
@QuarkusTest
@TestProfile(ObjectStorage.Redirect.class)
class ObjectStorageRedirectTest {

    private static final int SIZE = 40_000;

    @Inject
    Tenants tenants;

    @Test
    void streamAndDownloadRedirectToPresignedUrlsThatServeRanges() throws Exception {
        Call call = tenants.callWithRecording(tenants.business());
        byte[] audio = Tenants.mp3(SIZE);
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(audio)));
        String base = "/api/recordings/" + call.callSid();
        given().auth().oauth2(call.business().token()).get(base + "/stream?explicit_user_action=true")
                .then().statusCode(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> tenants.call(call).downloadStatus == DownloadStatus.READY);
        String streamUrl = given().auth().oauth2(call.business().token()).get(base + "/status").path("stream_url");

        Response redirect = given().redirects().follow(false).get(streamUrl);
        redirect.then().statusCode(307).header("Cache-Control", "no-store");
        String location = redirect.header("Location");
        assertTrue(location.startsWith(SystemUnderTest.objectStore().endpoint().toString()), location);

        HttpResponse<byte[]> range = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(location))
                .header("Range", "bytes=100-199").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, range.statusCode());
        assertArrayEquals(Arrays.copyOfRange(audio, 100, 200), range.body());

        Response download = given().auth().oauth2(call.business().token()).redirects().follow(false).get(base + "/download");
        download.then().statusCode(307);
        assertTrue(URLDecoder.decode(download.header("Location"), StandardCharsets.UTF_8)
                .contains("attachment; filename=\"" + call.recordingSid() + ".mp3\""), download.header("Location"));
    }
}
