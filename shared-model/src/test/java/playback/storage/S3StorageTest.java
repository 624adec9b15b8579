package playback.storage;

import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import playback.testing.S3Server;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract against a real S3 API (s3proxy in this JVM); each test has key prefixes of its own. */
class S3StorageTest extends RecordingStorageContract {

    private static final String BUCKET = "recordings";

    private static S3Server server;
    private final String testPrefix = "test-" + UUID.randomUUID();

    @TempDir
    Path downloads;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start();
        server.createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Override
    RecordingStorage newStorage(String name) throws IOException {
        Map<String, String> settings = new HashMap<>(server.settings(BUCKET));
        settings.put("playback.storage.s3.prefix", testPrefix + "/" + name);
        return new S3Storage(config(settings).s3(), downloads.resolve(name));
    }

    /** The server stops answering: connections are refused. */
    @Override
    void breakStorage(String name, String key) throws Exception {
        server.pause();
    }

    @Override
    void repairStorage(String name, String key) throws Exception {
        server.resume();
    }

    @Test
    void aLargeRecordingIsUploadedInParts() throws Exception {
        RecordingStorage storage = storage("a");
        commit(storage, KEY, bytes(LARGE_SIZE, 12));
        try (S3Client client = server.client()) {
            String etag = client.headObject(head -> head.bucket(BUCKET).key(testPrefix + "/a/" + KEY)).eTag();
            assertTrue(etag.endsWith("-3\""), "a multipart ETag names its 3 parts: " + etag);
        }
    }

    @Test
    void keysLiveUnderThePrefix() throws Exception {
        RecordingStorage storage = storage("a");
        commit(storage, KEY, bytes(100, 13));
        try (S3Client client = server.client()) {
            assertTrue(client.listObjectsV2(list -> list.bucket(BUCKET).prefix(testPrefix + "/a/")).contents().stream()
                    .anyMatch(object -> object.key().equals(testPrefix + "/a/" + KEY)));
        }
    }

    /** The settings read as the services read them, through the config mapping. */
    static StorageConfig config(Map<String, String> settings) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(StorageConfig.class)
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(settings, "test", 100))
                .build();
        return config.getConfigMapping(StorageConfig.class);
    }
}
