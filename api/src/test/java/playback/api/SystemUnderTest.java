package playback.api;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.eclipse.microprofile.config.ConfigProvider;
import playback.testing.TestDatabase;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Everything around the api under test: WireMock standing in for the provider, and the real worker,
 * started from its packaged jar as a separate process against the same PostgreSQL, Redis and storage
 * (read from the test configuration; {@link TestDatabase} has created the database by then).
 */
public class SystemUnderTest implements QuarkusTestResourceLifecycleManager {

    public static final String PROVIDER_ACCOUNT_SID = "AC00000000000000000000000000000000";
    public static final String PROVIDER_AUTH_TOKEN = "test-provider-auth-token";
    public static final Path STORAGE = Path.of("target/test-recordings").toAbsolutePath();
    private static final Path WORKER_JAR = Path.of("../worker/target/quarkus-app/quarkus-run.jar").toAbsolutePath();

    private static WireMockServer provider;
    private Process worker;

    public static WireMockServer provider() {
        return provider;
    }

    @Override
    public Map<String, String> start() {
        provider = new WireMockServer(WireMockConfiguration.options().dynamicPort().containerThreads(64));
        provider.start();
        try {
            Files.createDirectories(STORAGE);
            int workerPort = freePort();
            Path log = Path.of("target/worker-process.log").toAbsolutePath();
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", WORKER_JAR.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> env = builder.environment();
            env.put("QUARKUS_HTTP_PORT", Integer.toString(workerPort));
            env.put("QUARKUS_DATASOURCE_JDBC_URL", TestDatabase.jdbcUrl());
            env.put("QUARKUS_DATASOURCE_USERNAME", TestDatabase.user());
            env.put("QUARKUS_REDIS_HOSTS", ConfigProvider.getConfig().getValue("quarkus.redis.hosts", String.class));
            env.put("QUARKUS_FLYWAY_MIGRATE_AT_START", "true");
            env.put("QUARKUS_FLYWAY_VALIDATE_AT_START", "false");
            env.put("QUARKUS_LOG_CATEGORY__PLAYBACK__LEVEL", "DEBUG");
            env.put("PLAYBACK_STORAGE_DIR", STORAGE.toString());
            env.put("PLAYBACK_PROVIDER_BASE_URL", provider.baseUrl());
            env.put("PLAYBACK_PROVIDER_ACCOUNT_SID", PROVIDER_ACCOUNT_SID);
            env.put("PLAYBACK_PROVIDER_AUTH_TOKEN", PROVIDER_AUTH_TOKEN);
            env.put("PLAYBACK_PROVIDER_NOT_FOUND_RECHECK", "200ms");
            env.put("PLAYBACK_RETRY_BACKOFF", "1s,1s,1s,3s");
            env.put("PLAYBACK_SLOTS_LEASE", "5s");
            worker = builder.start();
            awaitReady(workerPort);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the worker process", e);
        }
        return Map.of("playback.storage.dir", STORAGE.toString());
    }

    @Override
    public void stop() {
        if (worker != null) {
            worker.destroy();
            try {
                if (!worker.waitFor(30, TimeUnit.SECONDS)) {
                    worker.destroyForcibly();
                }
            } catch (InterruptedException e) {
                worker.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (provider != null) {
            provider.stop();
        }
    }

    private void awaitReady(int port) {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!worker.isAlive()) {
                throw new IllegalStateException("the worker process exited; see target/worker-process.log");
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException ignored) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the worker did not become ready; see target/worker-process.log");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
