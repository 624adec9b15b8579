package playback.worker;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import playback.testing.S3Server;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** s3proxy standing in for an S3-compatible object store, with a bucket for the worker's recordings. */
public class ObjectStore implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "worker-recordings";
    public static final String PREFIX = "worker-test";

    private static S3Server server;

    public static S3Server server() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = S3Server.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start s3proxy", e);
        }
        server.createBucket(BUCKET);
        Map<String, String> settings = new HashMap<>(server.settings(BUCKET));
        settings.put("playback.storage.s3.prefix", PREFIX);
        return settings;
    }

    @Override
    public void stop() {
        try {
            server.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop s3proxy", e);
        }
    }

    /** The worker with {@code playback.storage.kind=s3}, against this store. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ObjectStore.class));
        }
    }
}
