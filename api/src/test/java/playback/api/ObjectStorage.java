package playback.api;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * The api and its worker with their recordings in a bucket of a real S3 API server instead of a
 * directory ({@link SystemUnderTest} starts the server for the tests of this profile).
 */
public class ObjectStorage implements QuarkusTestProfile {

    /** The same, with {@code playback.stream-url.delivery=redirect}: browsers sent to presigned URLs. */
    public static class Redirect extends ObjectStorage {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("playback.stream-url.delivery", "redirect");
        }
    }
}
