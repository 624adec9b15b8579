package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Headers, HEAD, download and status of a ready recording kept in an S3 bucket. */
@QuarkusTest
@TestProfile(ObjectStorage.class)
class ObjectStorageServingTest extends StreamServingTest {
}
