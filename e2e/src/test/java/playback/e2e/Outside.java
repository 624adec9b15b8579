package playback.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The machine's own PostgreSQL and Redis, driven from outside as an operator would (and as failures do). */
final class Outside {

    private Outside() {
    }

    static String redisCli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", "6379"));
        command.addAll(List.of(args));
        return run(command);
    }

    static void restartRedisAfter(long downMillis) {
        redisCli("SHUTDOWN", "NOSAVE");
        sleep(downMillis);
        startRedis();
    }

    static void startRedis() {
        run(List.of("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "",
                "--appendonly", "no"));
        for (int i = 0; i < 50 && !"PONG".equals(redisCli("PING").trim()); i++) {
            sleep(100);
        }
    }

    static void stopPostgres() {
        run(List.of("pg_ctlcluster", "--skip-systemctl-redirect", postgresVersion(), "main", "stop", "-m", "fast"));
    }

    static void startPostgres() {
        run(List.of("pg_ctlcluster", "--skip-systemctl-redirect", postgresVersion(), "main", "start"));
    }

    private static String postgresVersion() {
        return run(List.of("bash", "-c", "ls /etc/postgresql | sort -V | tail -1")).trim();
    }

    static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
