package playback.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import playback.devstack.DemoData;
import playback.devstack.Fixtures;
import playback.devstack.Stack;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The UI in a real browser: starts the system as the one-command run does (simulator, api serving the
 * UI, two workers, demo data through signed webhooks) on free ports, against a PostgreSQL and a Redis of its
 * own (the machine's are left alone), then runs frontend/e2e/ui.test.mjs (playwright-core driving
 * Debian's Chromium) against it. Screenshots land in e2e/target/ui-screenshots. Beside the demo's two
 * businesses, a third one has prefetch on before its calls arrive, so its recordings are stored before
 * anyone presses Play.
 */
class UiTest {

    private static final String DATABASE = "playback_ui";
    /** The third business's policy, as an operator would set it. */
    private static final int PREFETCH_HOURS = 24;
    private static final String PREFETCHED_RECORDING = "{\"latency_ms\":300,\"duration_seconds\":20}";
    private static final int PREFETCHED_CALLS = 3;
    private static OwnedServers servers;
    private static Stack stack;
    private static String apiUrl;
    private static String simulatorUrl;
    private static Fixtures.Business prefetching;
    private static final List<Fixtures.Call> prefetched = new ArrayList<>();

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
        Fixtures fixtures = new Fixtures(stack, apiUrl, simulatorUrl);
        prefetching = fixtures.business("Cedar Street Clinic");
        fixtures.prefetch(prefetching, PREFETCH_HOURS);
        for (int i = 0; i < PREFETCHED_CALLS; i++) {
            prefetched.add(fixtures.call(prefetching, PREFETCHED_RECORDING));
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
        node.environment().put("PREFETCH_BUSINESS_ID", Long.toString(prefetching.id()));
        node.environment().put("PREFETCH_CALL_SIDS", String.join(",", prefetched.stream().map(Fixtures.Call::callSid).toList()));
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
