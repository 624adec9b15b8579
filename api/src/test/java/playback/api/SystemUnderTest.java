package playback.api;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.eclipse.microprofile.config.Config;

import playback.devstack.Settings;
import playback.devstack.Stack;
import playback.testing.S3Server;
import playback.testing.TestConfiguration;
import playback.testing.TestDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything around the api under test: WireMock standing in for the provider, and the real worker,
 * started from its packaged jar by devstack's {@link Stack} as a separate process against the same
 * PostgreSQL, Redis and storage, with the same retry timing and the same token for reading its downloads
 * in progress (all read from the test configuration; {@link TestDatabase} has created the database by
 * then). It logs to target/worker-process.log.
 *
 * The storage is the test directory, or, for the tests of an {@link ObjectStorage} profile, a bucket of
 * a real S3 API server (s3proxy) started here, which the api and the worker then share instead. For the
 * tests of the {@link Tracing} profile, both export their spans to an {@link OtlpReceiver} started here,
 * and the worker logs JSON.
 */
public class SystemUnderTest implements QuarkusTestResourceLifecycleManager {

    public static final String PROVIDER_ACCOUNT_SID = "AC00000000000000000000000000000000";
    public static final String PROVIDER_AUTH_TOKEN = "test-provider-auth-token";
    public static final Path STORAGE = Path.of("target/test-recordings").toAbsolutePath();
    /** Where the worker process's output goes (appended, one file for every profile's worker). */
    public static final Path WORKER_LOG = Path.of("target/worker-process.log").toAbsolutePath();

    public static final String BUCKET = "recordings";

    private static WireMockServer provider;
    private static S3Server objectStore;
    private static String workerUrl;
    private static OtlpReceiver traces;
    private Stack stack;
    private boolean objectStorage;
    private boolean tracing;

    public static WireMockServer provider() {
        return provider;
    }

    /** The worker process's HTTP root (health and metrics). */
    public static String workerUrl() {
        return workerUrl;
    }

    /** The S3 server of an {@link ObjectStorage} profile's tests. */
    public static S3Server objectStore() {
        return objectStore;
    }

    /** The receiver of the {@link Tracing} profile's spans. */
    public static OtlpReceiver traces() {
        return traces;
    }

    @Override
    public void setContext(Context context) {
        String profile = context.testProfile();
        objectStorage = profile != null && ObjectStorage.class.isAssignableFrom(classOf(profile));
        tracing = profile != null && Tracing.class.isAssignableFrom(classOf(profile));
    }

    @Override
    public Map<String, String> start() {
        provider = new WireMockServer(WireMockConfiguration.options().dynamicPort().containerThreads(64));
        provider.start();
        Config config = TestConfiguration.get();
        // The repository root is the api module's parent. No settings: only the overrides below shape the worker.
        stack = new Stack(new Settings(Map.of()), Path.of(".."), Path.of("target"), STORAGE, TestDatabase.jdbcUrl(),
                TestDatabase.user(), config.getValue("quarkus.redis.hosts", String.class));
        Map<String, String> apiSettings = Map.of("playback.storage.dir", STORAGE.toString());
        Map<String, String> worker = new HashMap<>();
        if (objectStorage) {
            objectStore = startObjectStore();
            apiSettings = objectStore.settings(BUCKET);
            worker.putAll(objectStore.environment(BUCKET));
        }
        if (tracing) {
            traces = startTraceReceiver();
            apiSettings = new HashMap<>(apiSettings);
            apiSettings.put("quarkus.otel.exporter.otlp.traces.endpoint", traces.endpoint());
            for (Map.Entry<String, String> setting : Tracing.SETTINGS.entrySet()) {
                worker.put(environmentName(setting.getKey()), setting.getValue());
            }
            worker.put(environmentName("quarkus.otel.exporter.otlp.traces.endpoint"), traces.endpoint());
            worker.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true");
        }
        try {
            Files.createDirectories(STORAGE);
            // The worker serves its downloads in progress to this api, which presents the test token.
            worker.put("PLAYBACK_LIVE_TOKEN", config.getValue("playback.live.token", String.class));
            worker.putAll(Map.of(
                    "QUARKUS_FLYWAY_MIGRATE_AT_START", "true",
                    "QUARKUS_FLYWAY_VALIDATE_AT_START", "false",
                    "QUARKUS_LOG_CATEGORY__PLAYBACK__LEVEL", "DEBUG",
                    "PLAYBACK_PROVIDER_ACCOUNT_SID", PROVIDER_ACCOUNT_SID,
                    "PLAYBACK_PROVIDER_AUTH_TOKEN", PROVIDER_AUTH_TOKEN,
                    "PLAYBACK_PROVIDER_NOT_FOUND_RECHECK", "200ms",
                    "PLAYBACK_RETRY_BACKOFF", config.getValue("playback.retry.backoff", String.class),
                    "PLAYBACK_SLOTS_LEASE", "5s"));
            workerUrl = stack.worker("worker-process", Stack.freePort(), provider.baseUrl(), worker).url();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the worker process", e);
        }
        return apiSettings;
    }

    private static S3Server startObjectStore() {
        try {
            S3Server server = S3Server.start();
            server.createBucket(BUCKET);
            return server;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the S3 server", e);
        }
    }

    private static OtlpReceiver startTraceReceiver() {
        try {
            return OtlpReceiver.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the OTLP receiver", e);
        }
    }

    private static String environmentName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Class<?> classOf(String name) {
        try {
            return Class.forName(name, false, SystemUnderTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return Object.class;
        }
    }

    @Override
    public void stop() {
        if (stack != null) {
            stack.close();
        }
        if (provider != null) {
            provider.stop();
        }
        if (objectStore != null) {
            try {
                objectStore.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop the S3 server", e);
            }
            objectStore = null;
        }
        if (traces != null) {
            traces.close();
            traces = null;
        }
    }
}
