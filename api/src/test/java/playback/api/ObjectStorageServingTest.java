package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import playback.model.DownloadStatus;
import playback.testing.S3Server;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A ready recording kept in an S3 bucket: the serving tests of {@link StreamServingTest} again, and the
 * store's own cases: where the recording is, an object lost by the store, the store down and back.
 */
@QuarkusTest
@TestProfile(ObjectStorage.class)
class ObjectStorageServingTest extends StreamServingTest {

    private String key() {
        return call.business().id() + "/" + call.callSid() + ".mp3";
    }

    @Test
    void aReadyRecordingIsAnObjectOfTheBucketAndNoFileOfTheApi() {
        try (S3Client s3 = SystemUnderTest.objectStore().client()) {
            byte[] stored = s3.getObjectAsBytes(get -> get.bucket(SystemUnderTest.BUCKET).key(key())).asByteArray();
            assertArrayEquals(audio, stored);
        }
        assertFalse(Files.exists(SystemUnderTest.STORAGE.resolve(key())), "no file in the local directory");
        Response range = stream("", "Range", "bytes=1000-1999");
        range.then().statusCode(206).header("Content-Range", "bytes 1000-1999/" + SIZE);
        assertArrayEquals(Arrays.copyOfRange(audio, 1000, 2000), range.asByteArray());
    }

    @Test
    void anObjectTheStoreLostIsDownloadedAgainNeverA500() {
        stream("").then().statusCode(200);
        try (S3Client s3 = SystemUnderTest.objectStore().client()) {
            s3.deleteObject(delete -> delete.bucket(SystemUnderTest.BUCKET).key(key()));
        }

        stream("explicit_user_action=true").then().statusCode(202).body("status", org.hamcrest.Matchers.oneOf(
                "queued", "downloading", "missing"));
        await().atMost(Duration.ofSeconds(15)).until(() -> tenants.call(call).downloadStatus == DownloadStatus.READY);

        Response again = stream("");
        again.then().statusCode(200);
        assertArrayEquals(audio, again.asByteArray());
        SystemUnderTest.provider().verify(2, getRequestedFor(urlPathEqualTo(call.providerPath())));
    }

    @Test
    void aStoreThatIsDownIsA503WithRetryAfterAndServesAgainOnceBack() throws Exception {
        S3Server store = SystemUnderTest.objectStore();
        stream("").then().statusCode(200);
        store.pause();
        try {
            Response down = stream("", "Range", "bytes=0-99");
            down.then().statusCode(503).contentType("application/json").body("error", org.hamcrest.Matchers
                    .equalTo("storage_unavailable"));
            assertNotNull(down.header("Retry-After"));
        } finally {
            store.resume();
        }
        Response back = stream("", "Range", "bytes=0-99");
        back.then().statusCode(206);
        assertArrayEquals(Arrays.copyOfRange(audio, 0, 100), back.asByteArray());
        assertEquals(DownloadStatus.READY, tenants.call(call).downloadStatus, "an outage of the store loses nothing");
    }

    @Test
    void aDevResetEmptiesTheBucket() {
        given().post("/api/dev/reset").then().statusCode(204);
        try (S3Client s3 = SystemUnderTest.objectStore().client()) {
            assertThrows(NoSuchKeyException.class, () -> s3.headObject(head -> head.bucket(SystemUnderTest.BUCKET).key(key())));
        }
    }
}
