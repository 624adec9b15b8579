package playback.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import playback.devstack.DemoData;
import playback.devstack.ManagedProcess;
import playback.devstack.Stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The UI in a real browser: starts the system as the one-command run does (simulator, api serving the
 * UI, worker, demo data through signed webhooks) on free ports, then runs frontend/e2e/ui.test.mjs
 * (playwright-core driving Debian's Chromium) against it. Screenshots land in e2e/target/ui-screenshots.
 */
class UiTest {

    private static final String DATABASE = "playback_ui";
    private static final List<ManagedProcess> processes = new ArrayList<>();
    private static String apiUrl;
    private static String simulatorUrl;

    @BeforeAll
    static void startSystem() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(UiTest::stopSystem));
        try (Connection db = connect("postgres")) {
            db.createStatement().execute("drop database if exists " + DATABASE + " with (force)");
            db.createStatement().execute("create database " + DATABASE);
        }
        Outside.redisCli("-n", "5", "FLUSHDB");
        Path root = Path.of("").toAbsolutePath();
        Path work = root.resolve("e2e/target/ui-run");
        Files.createDirectories(work);
        Stack stack = new Stack(root, work.resolve("logs"), work.resolve("recordings"),
                "jdbc:postgresql://127.0.0.1:5432/" + DATABASE, "postgres", "redis://127.0.0.1:6379/5");
        int simPort = freePort();
        int apiPort = freePort();
        simulatorUrl = "http://127.0.0.1:" + simPort;
        apiUrl = "http://127.0.0.1:" + apiPort;
        processes.add(stack.simulator("simulator", simPort, freePort()));
        processes.add(stack.api("api", apiPort, simulatorUrl, Map.of()));
        processes.add(stack.worker("worker", freePort(), simulatorUrl, Map.of()));
        try (Connection db = connect(DATABASE)) {
            new DemoData().seed(db, apiUrl, simulatorUrl);
        }
    }

    @AfterAll
    static synchronized void stopSystem() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).stop(Duration.ofSeconds(15));
        }
        processes.clear();
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

    private static Connection connect(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database, properties);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
