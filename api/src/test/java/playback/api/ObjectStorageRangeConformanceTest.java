package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The RFC 9110 conformance table, against recordings kept in an S3 bucket and proxied by the api. */
@QuarkusTest
@TestProfile(ObjectStorage.class)
class ObjectStorageRangeConformanceTest extends RangeConformanceTest {
}
