package playback.worker;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.model.FailureReason;
import playback.model.RunStatus;
import playback.storage.RecordingStorage;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.time.Duration;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Downloads end to end with the recordings in an S3-compatible object store. */
@QuarkusTest
@TestProfile(ObjectStore.Profile.class)
@QuarkusTestResource(ProviderStub.class)
class S3DownloadTest {

    @Inject
    TestRecordings recordings;

    @Test
    void aDownloadedRecordingIsAnObjectInTheBucketUnderThePrefix() {
        TestRecordings.Recording call = recordings.business(1).get(0);
        byte[] mp3 = TestRecordings.mp3(50_000);
        ProviderStub.server().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(mp3)));

        recordings.enqueue(call);
        await().atMost(Duration.ofSeconds(15)).until(() -> recordings.call(call).downloadStatus == DownloadStatus.READY);

        CallLog ready = recordings.call(call);
        String key = RecordingStorage.keyFor(call.businessId(), call.callSid(), "mp3");
        assertEquals(key, ready.storageKey);
        assertArrayEquals(mp3, storedObject(key));
    }

    @Test
    void aStoreThatIsDownFailsTheAttemptAsStorageUnavailableAndTheRetryStoresIt() throws Exception {
        TestRecordings.Recording call = recordings.business(1).get(0);
        byte[] mp3 = TestRecordings.mp3(20_000);
        ProviderStub.server().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(mp3)));
        ObjectStore.server().pause();
        try {
            recordings.enqueue(call);
            await().atMost(Duration.ofSeconds(15)).until(() -> !recordings.runs(call).isEmpty()
                    && recordings.runs(call).get(0).status == RunStatus.FAILED);
            assertEquals(FailureReason.STORAGE_UNAVAILABLE.code(), recordings.runs(call).get(0).error);
            assertNull(recordings.call(call).storageKey, "nothing of the failed commit was written");
        } finally {
            ObjectStore.server().resume();
        }

        await().atMost(Duration.ofSeconds(15)).until(() -> recordings.call(call).downloadStatus == DownloadStatus.READY);
        assertArrayEquals(mp3, storedObject(RecordingStorage.keyFor(call.businessId(), call.callSid(), "mp3")));
    }

    private static byte[] storedObject(String key) {
        try (S3Client client = ObjectStore.server().client()) {
            ResponseBytes<GetObjectResponse> object = client.getObjectAsBytes(request -> request
                    .bucket(ObjectStore.BUCKET).key(ObjectStore.PREFIX + "/" + key));
            return object.asByteArray();
        }
    }
}
