package playback.storage;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "playback.storage")
public interface StorageConfig {

    @WithDefault("filesystem")
    Kind kind();

    /**
     * Directory of stored recordings, shared by the api and the worker ({@code kind=filesystem}); with
     * {@code kind=s3}, the process's own, where downloads wait in {@code .tmp} until they are uploaded.
     */
    @WithDefault("data/recordings")
    String dir();

    S3 s3();

    enum Kind {
        FILESYSTEM, S3
    }

    interface S3 {
        /** Any S3-compatible server; empty for AWS S3 itself. */
        Optional<URI> endpoint();

        @WithDefault("us-east-1")
        String region();

        /** Required with {@code kind=s3}. */
        Optional<String> bucket();

        /** {@code https://host/bucket/key} rather than {@code https://bucket.host/key}: most self-hosted servers want it. */
        @WithDefault("false")
        boolean pathStyleAccess();

        /** With the secret key, replaces the SDK's usual sources (AWS_ACCESS_KEY_ID, profiles, instance roles). */
        Optional<String> accessKeyId();

        Optional<String> secretAccessKey();

        /** Keys of this deployment start with it, so deployments can share a bucket; dev reset deletes only under it. */
        Optional<String> prefix();

        /** Files larger than this are uploaded in parts of this size (S3 wants at least 5 MiB per part). */
        @WithDefault("8M")
        MemorySize partSize();

        @WithDefault("5s")
        Duration connectTimeout();

        /** Longest silence on a connection before the request fails (and is retried by the SDK). */
        @WithDefault("30s")
        Duration readTimeout();
    }
}
