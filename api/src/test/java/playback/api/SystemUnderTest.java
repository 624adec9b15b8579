package playback.api;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import playback.devstack.Settings;
import playback.devstack.Stack;
import playback.testing.TestDatabase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything around the api under test: WireMock standing in for the provider, and the real worker,
 * started from its packaged jar by devstack's {@link Stack} as a separate process against the same
 * PostgreSQL, Redis and storage, with the same retry timing (all read from the test configuration;
 * {@link TestDatabase} has created the database by then). It logs to target/worker-process.log.
 */
public class SystemUnderTest implements QuarkusTestResourceLifecycleManager {

    public static final String PROVIDER_ACCOUNT_SID = "AC00000000000000000000000000000000";
    public static final String PROVIDER_AUTH_TOKEN = "test-provider-auth-token";
    public static final Path STORAGE = Path.of("target/test-recordings").toAbsolutePath();

    private static WireMockServer provider;
    private Stack stack;

    public static WireMockServer provider() {
        return provider;
    }

    @Override
    public Map<String, String> start() {
        provider = new WireMockServer(WireMockConfiguration.options().dynamicPort().containerThreads(64));
        provider.start();
        Config config = ConfigProvider.getConfig();
        // The repository root is the api module's parent. No settings: only the overrides below shape the worker.
        stack = new Stack(new Settings(Map.of()), Path.of(".."), Path.of("target"), STORAGE, TestDatabase.jdbcUrl(),
                TestDatabase.user(), config.getValue("quarkus.redis.hosts", String.class));
        try {
            Files.createDirectories(STORAGE);
            stack.worker("worker-process", Stack.freePort(), provider.baseUrl(), Map.of(
                    "QUARKUS_FLYWAY_MIGRATE_AT_START", "true",
                    "QUARKUS_FLYWAY_VALIDATE_AT_START", "false",
                    "QUARKUS_LOG_CATEGORY__PLAYBACK__LEVEL", "DEBUG",
                    "PLAYBACK_PROVIDER_ACCOUNT_SID", PROVIDER_ACCOUNT_SID,
                    "PLAYBACK_PROVIDER_AUTH_TOKEN", PROVIDER_AUTH_TOKEN,
                    "PLAYBACK_PROVIDER_NOT_FOUND_RECHECK", "200ms",
                    "PLAYBACK_RETRY_BACKOFF", config.getValue("playback.retry.backoff", String.class),
                    "PLAYBACK_SLOTS_LEASE", "5s"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the worker process", e);
        }
        return Map.of("playback.storage.dir", STORAGE.toString());
    }

    @Override
    public void stop() {
        if (stack != null) {
            stack.close();
        }
        if (provider != null) {
            provider.stop();
        }
    }
}
