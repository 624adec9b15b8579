package playback.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jars run in the prod profile, where the demo's secrets do not exist: started with no
 * configuration, the api and the worker refuse to start and name each missing setting and its
 * environment variable.
 */
class ProductionConfigTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void apiRefusesToStartWithoutItsSecrets(@TempDir Path workDir) throws Exception {
        String output = startUnconfigured(ROOT.resolve("api/target/quarkus-app/quarkus-run.jar"), workDir);
        assertNames(output, List.of(
                "playback.jwt.public-key-location", "PLAYBACK_JWT_PUBLIC_KEY_LOCATION",
                "playback.stream-url.secret", "PLAYBACK_STREAM_URL_SECRET",
                "playback.provider.auth-token", "PLAYBACK_PROVIDER_AUTH_TOKEN"));
    }

    @Test
    void workerRefusesToStartWithoutItsProvider(@TempDir Path workDir) throws Exception {
        String output = startUnconfigured(ROOT.resolve("worker/target/quarkus-app/quarkus-run.jar"), workDir);
        assertNames(output, List.of(
                "playback.provider.base-url", "PLAYBACK_PROVIDER_BASE_URL",
                "playback.provider.account-sid", "PLAYBACK_PROVIDER_ACCOUNT_SID",
                "playback.provider.auth-token", "PLAYBACK_PROVIDER_AUTH_TOKEN"));
    }

    /**
     * Runs the jar with an empty environment in an empty directory (no config/ or .env to read) and
     * returns its output once it has exited with a non-zero status.
     */
    private static String startUnconfigured(Path jar, Path workDir) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(jar), jar + " is missing: package first");
        Path log = workDir.resolve("output.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString())
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        Process process = builder.start();
        try {
            assertTrue(process.waitFor(90, TimeUnit.SECONDS), "it did not exit");
        } finally {
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertNotEquals(0, process.exitValue(), output);
        return output;
    }

    private static void assertNames(String output, List<String> names) {
        for (String name : names) {
            assertTrue(output.contains(name), "the refusal names " + name + ":\n" + output);
        }
    }
}
