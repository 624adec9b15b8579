package playback.devstack;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The one-command run: PostgreSQL and Redis (configured or embedded), then the provider simulator,
 * the api and the worker with demo data. Stops everything it started on Ctrl-C, or when one of its
 * processes dies.
 *
 * Environment: PLAYBACK_DB_HOST/PORT/NAME/USER (127.0.0.1, 5432, playback, postgres),
 * PLAYBACK_REDIS_HOST/PORT (127.0.0.1, 6379), API_PORT (8080), WORKER_PORT (8081), SIM_PORT (8089),
 * SIM_STORAGE_PORT (8090), PLAYBACK_DATA_DIR (data); any other PLAYBACK_* setting of the api or the
 * worker replaces the demo's value (see {@link Stack}).
 */
public final class DevRun {

    private DevRun() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromEnvironment();
        Path root = Path.of("").toAbsolutePath();
        Path data = Path.of(settings.get("PLAYBACK_DATA_DIR", "data")).toAbsolutePath();
        int apiPort = settings.getInt("API_PORT", 8080);
        int workerPort = settings.getInt("WORKER_PORT", 8081);
        int simPort = settings.getInt("SIM_PORT", 8089);
        int simStoragePort = settings.getInt("SIM_STORAGE_PORT", 8090);

        List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopAll(started);
            stopped.countDown();
        }, "stop"));
        try {
            BackingServices services = BackingServices.start(settings.get("PLAYBACK_DB_HOST", "127.0.0.1"),
                    settings.getInt("PLAYBACK_DB_PORT", 5432), settings.get("PLAYBACK_DB_NAME", "playback"),
                    settings.get("PLAYBACK_DB_USER", "postgres"), settings.get("PLAYBACK_REDIS_HOST", "127.0.0.1"),
                    settings.getInt("PLAYBACK_REDIS_PORT", 6379), data.resolve("embedded"));
            started.add(services);
            Stack stack = new Stack(settings, root, data.resolve("logs"), data.resolve("recordings"),
                    services.jdbcUrl(), services.dbUser(), services.redisUrl());
            started.add(stack);
            ManagedProcess simulator = stack.simulator("simulator", simPort, simStoragePort);
            String simulatorUrl = simulator.url();
            ManagedProcess api = stack.api("api", apiPort, simulatorUrl, Map.of());
            String apiUrl = api.url();
            ManagedProcess worker = stack.worker("worker", workerPort, simulatorUrl, Map.of());
            try (Connection db = stack.connect()) {
                List<DemoData.DemoCall> calls = new DemoData(stack.providerAuthToken()).seed(db, apiUrl, simulatorUrl);
                System.out.printf("demo data: %d businesses, %d calls with recordings (through signed webhooks)%n",
                        DemoData.BUSINESSES.size(), calls.size());
            }
            printWelcome(apiUrl, workerPort, simulatorUrl, data);
            watch(stack, List.of(simulator, api, worker));
        } catch (Exception e) {
            System.err.println("run failed: " + e.getMessage());
            stopAll(started);
            System.exit(1);
        }
        System.exit(1);
    }

    /** Returns when one of the processes has died (Ctrl-C ends the JVM through the shutdown hook). */
    private static void watch(Stack stack, List<ManagedProcess> processes) {
        while (true) {
            for (ManagedProcess process : processes) {
                if (!process.isAlive()) {
                    if (!stack.isClosed()) {
                        System.err.println(process.name() + " stopped unexpectedly; stopping the rest");
                    }
                    return;
                }
            }
            ManagedProcess.sleep(Duration.ofSeconds(1));
        }
    }

    private static void stopAll(List<AutoCloseable> started) {
        synchronized (started) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    System.err.println("while stopping: " + e.getMessage());
                }
            }
            started.clear();
        }
    }

    private static void printWelcome(String apiUrl, int workerPort, String simulatorUrl, Path data) {
        System.out.printf("""

                Recording playback is running.
                  UI         %1$s/   (pick a business to sign in)
                  api        %1$s   (health %1$s/q/health/ready, OpenAPI %1$s/q/openapi)
                  worker     http://127.0.0.1:%2$d   (health and metrics only)
                  simulator  %3$s   (stats %3$s/sim/stats)
                  logs       %4$s

                Businesses:   curl -s %1$s/api/dev/businesses
                Token:        TOKEN=$(curl -s -X POST %1$s/api/dev/token -H 'Content-Type: application/json' \\
                                -d '{"business_id":1,"user":"alice"}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')
                Recent calls: curl -s %1$s/api/calls -H "Authorization: Bearer $TOKEN"
                Play:         curl -s "%1$s/api/recordings/<call_sid>/stream?explicit_user_action=true" \\
                                -H "Authorization: Bearer $TOKEN"     (202, then poll .../status for stream_url)
                Reset demo:   curl -s -X POST %1$s/api/dev/reset
                Ctrl-C stops everything.
                """, apiUrl, workerPort, simulatorUrl, data.resolve("logs"));
    }
}
