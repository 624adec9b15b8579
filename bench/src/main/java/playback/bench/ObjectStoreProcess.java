package playback.bench;

import playback.devstack.Stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real S3 API server as its own process: s3proxy from Maven Central (bench/run.sh copies its jar to
 * {@value #JAR}) with a filesystem blob store, on a free loopback port, and the settings that point the
 * api and the worker at one bucket of it.
 */
final class ObjectStoreProcess implements AutoCloseable {

    static final String JAR = "bench/target/s3proxy/s3proxy.jar";
    static final String BUCKET = "recordings";
    private static final String ACCESS_KEY = "bench-access";
    private static final String SECRET_KEY = "bench-secret";

    private final Process process;
    private final int port;

    private ObjectStoreProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static ObjectStoreProcess start(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("blobs/" + BUCKET));
        int port = Stack.freePort();
        Path properties = dir.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dir.resolve("blobs"), ""));
        Process process = new ProcessBuilder(List.of("java", "-Xmx512m", "-jar", Path.of(JAR).toAbsolutePath().toString(),
                "--properties", properties.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        ObjectStoreProcess store = new ObjectStoreProcess(process, port);
        store.awaitAnswering();
        return store;
    }

    /** Any HTTP answer (an unsigned request is refused with 403) means the server is up. */
    private void awaitAnswering() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("s3proxy exited; see its log");
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("s3proxy did not answer within 60 s");
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    /** The api's and the worker's settings for this store. */
    Map<String, String> environment() {
        return Map.of(
                "PLAYBACK_STORAGE_KIND", "s3",
                "PLAYBACK_STORAGE_S3_ENDPOINT", endpoint(),
                "PLAYBACK_STORAGE_S3_BUCKET", BUCKET,
                "PLAYBACK_STORAGE_S3_PATH_STYLE_ACCESS", "true",
                "PLAYBACK_STORAGE_S3_ACCESS_KEY_ID", ACCESS_KEY,
                "PLAYBACK_STORAGE_S3_SECRET_ACCESS_KEY", SECRET_KEY);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
