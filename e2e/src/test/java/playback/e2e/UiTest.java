package playback.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import playback.devstack.DemoData;
import playback.devstack.Stack;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The UI in a real browser: starts the system as the one-command run does (simulator, api serving the
 * UI, two workers, demo data through signed webhooks) on free ports, against a PostgreSQL and a Redis of its
 * own (the machine's are left alone), then runs frontend/e2e/ui.test.mjs (playwright-core driving
 * Debian's Chromium) against it. Screenshots land in e2e/target/ui-screenshots.
 */
class UiTest {

    private static final String DATABASE = "playback_ui";
    private static OwnedServers servers;
    private static Stack stack;
    private static String apiUrl;
    private static String simulatorUrl;

    @BeforeAll
    static void startSystem() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        Path work = root.resolve("e2e/target/ui-run");
        Files.createDirectories(work);
        servers = OwnedServers.start(work.resolve("servers"));
        servers.createDatabase(DATABASE);
        stack = new Stack(root, work.resolve("logs"), work.resolve("recordings"), servers.jdbcUrl(DATABASE),
                "postgres", servers.redisUrl(0));
        simulatorUrl = stack.simulator("simulator", Stack.freePort(), Stack.freePort()).url();
        apiUrl = stack.api("api", Stack.freePort(), simulatorUrl, Map.of()).url();
        // Two workers, as a deployment runs them: the operations page's limits must hold across both.
        stack.worker("worker", Stack.freePort(), simulatorUrl, Map.of());
        stack.worker("worker-2", Stack.freePort(), simulatorUrl, Map.of());
        try (Connection db = stack.connect()) {
            new DemoData(stack.providerAuthToken()).seed(db, apiUrl, simulatorUrl);
        }
    }

    @AfterAll
    static void stopSystem() {
        if (stack != null) {
            stack.close();
        }
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    void browserScenariosPass() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        ProcessBuilder node = new ProcessBuilder("node", "--test", "--test-reporter=spec", "e2e/ui.test.mjs")
                .directory(root.resolve("frontend").toFile())
                .redirectErrorStream(true);
        node.environment().put("BASE_URL", apiUrl);
        node.environment().put("SIM_URL", simulatorUrl);
        node.environment().put("SCREENSHOT_DIR", root.resolve("e2e/target/ui-screenshots").toString());
        Process process = node.start();
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            output.lines().forEach(System.out::println);
        }
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        assertEquals(0, process.exitValue(), "the browser scenarios (frontend/e2e/ui.test.mjs) passed");
    }
}
