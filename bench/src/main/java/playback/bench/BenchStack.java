package playback.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.devstack.ManagedProcess;
import playback.devstack.Stack;
import playback.devstack.TwilioWebhooks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.stream.Stream;

/**
 * The setup every benchmark shares: a fresh database {@value #DATABASE} and Redis database
 * {@value #REDIS_DB} on the machine's own servers, then devstack's {@link Stack} with the provider
 * simulator, one api and one worker (or more) on free loopback ports, started from the jars bench/run.sh
 * copied. Data is made with devstack's {@link Fixtures}; what is left here is the benchmarks' own
 * client: the explicit Play and the status of a recording, a metric of a service.
 * {@link #close()} stops everything the stack started, as its shutdown hook does on Ctrl-C.
 */
final class BenchStack implements AutoCloseable {

    static final String DATABASE = "playback_bench";
    static final int REDIS_DB = 4;
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";
    private static final int REDIS_PORT = 6379;

    /** Copies of the jars bench/run.sh takes right after building, safe from a concurrent rebuild. */
    static final String SNAPSHOT = "bench/target/snapshot";

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path work;
    final Stack stack;
    final ManagedProcess api;
    final List<ManagedProcess> workers;
    final String apiUrl;
    final String simulatorUrl;
    final Fixtures fixtures;
    final TwilioWebhooks webhooks;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newCachedThreadPool(daemonThreads())).connectTimeout(Duration.ofSeconds(5)).build();

    private BenchStack(Path work, Stack stack, ManagedProcess api, List<ManagedProcess> workers, String simulatorUrl) {
        this.work = work;
        this.stack = stack;
        this.api = api;
        this.workers = workers;
        this.apiUrl = api.url();
        this.simulatorUrl = simulatorUrl;
        this.fixtures = new Fixtures(stack, apiUrl, simulatorUrl);
        this.webhooks = new TwilioWebhooks(apiUrl, stack.providerAuthToken());
    }

    /** Recreates the database, flushes the Redis database, starts simulator, api and worker. */
    static BenchStack start(String name) throws Exception {
        return start(name, Map.of());
    }

    /** The same, with settings both the api and the worker get (another storage). */
    static BenchStack start(String name, Map<String, String> settings) throws Exception {
        return start(name, settings, 1);
    }

    /** The same, with that many worker replicas (named worker, worker-2, ...). */
    static BenchStack start(String name, Map<String, String> settings, int workerCount) throws Exception {
        Path root = repositoryRoot();
        Path work = root.resolve("bench/target/bench-run/" + name);
        deleteRecursively(work);
        Files.createDirectories(work);
        printMachineLoad();
        recreateDatabase();
        flushRedisDatabase();
        Path jars = Files.isDirectory(root.resolve(SNAPSHOT)) ? root.resolve(SNAPSHOT) : root;
        Stack stack = new Stack(jars, work.resolve("logs"), work.resolve("recordings"), POSTGRES + DATABASE, "postgres",
                "redis://127.0.0.1:" + REDIS_PORT + "/" + REDIS_DB);
        try {
            String simulatorUrl = stack.simulator("simulator", Stack.freePort(), Stack.freePort()).url();
            Map<String, String> apiSettings = new HashMap<>(settings);
            apiSettings.putAll(apiDiagnostics());
            ManagedProcess api = stack.api("api", Stack.freePort(), simulatorUrl, apiSettings);
            List<ManagedProcess> workers = new ArrayList<>();
            for (int i = 1; i <= workerCount; i++) {
                workers.add(stack.worker(i == 1 ? "worker" : "worker-" + i, Stack.freePort(), simulatorUrl, settings));
            }
            System.out.printf("stack: simulator %s, api %s (pid %d), worker pid %s; jars from %s; logs in %s%n",
                    simulatorUrl, api.url(), api.pid(), String.join(", ", workers.stream().map(w -> Long.toString(w.pid())).toList()),
                    jars, work.resolve("logs"));
            return new BenchStack(work, stack, api, List.copyOf(workers), simulatorUrl);
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    /** For diagnostics only: BENCH_API_JAVA_OPTS (e.g. -XX:NativeMemoryTracking=summary) reaches the api's JVM. */
    private static Map<String, String> apiDiagnostics() {
        String options = System.getenv().getOrDefault("BENCH_API_JAVA_OPTS", "");
        return options.isBlank() ? Map.of() : Map.of("JAVA_TOOL_OPTIONS", options.trim());
    }

    /** Other work on the machine skews every figure: say how busy it was in the second before the start. */
    static void printMachineLoad() {
        try {
            long[] before = cpuTicks();
            Thread.sleep(1000);
            long[] after = cpuTicks();
            double busy = 100.0 * (1 - (after[1] - before[1]) / (double) Math.max(1, after[0] - before[0]));
            String load = Files.readString(Path.of("/proc/loadavg")).trim();
            System.out.printf("machine: %s; CPU %.0f%% busy before the start (load average %s)%s%n", Report.machine(),
                    busy, load.substring(0, load.indexOf(' ', load.indexOf(' ', load.indexOf(' ') + 1) + 1)),
                    busy > 30 ? "  WARNING: other work is running on this machine, figures will be pessimistic" : "");
        } catch (IOException | RuntimeException e) {
            // not Linux
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Total and idle (idle + iowait) jiffies of all CPUs. */
    private static long[] cpuTicks() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < fields.length; i++) {
            total += Long.parseLong(fields[i]);
        }
        return new long[]{total, Long.parseLong(fields[4]) + Long.parseLong(fields[5])};
    }

    @Override
    public void close() {
        stack.close();
    }

    // ------------------------------------------------------------------ the api

    /** The explicit Play: {@code GET /stream?explicit_user_action=true}, body discarded. */
    HttpRequest playRequest(Call call) {
        return HttpRequest.newBuilder(URI.create(apiUrl + "/api/recordings/" + call.callSid()
                        + "/stream?explicit_user_action=true"))
                .header("Authorization", "Bearer " + call.business().token()).timeout(Duration.ofSeconds(60)).build();
    }

    int play(Call call) throws IOException, InterruptedException {
        return http.send(playRequest(call), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The status JSON; with waitSeconds &gt; 0 a long-poll. */
    JsonNode status(Call call, int waitSeconds) throws IOException {
        return status(call, waitSeconds, false);
    }

    /** The status; with {@code live}, the long-poll also answers once the recording may be played as it downloads. */
    JsonNode status(Call call, int waitSeconds, boolean live) throws IOException {
        String url = apiUrl + "/api/recordings/" + call.callSid() + "/status" + (waitSeconds > 0 ? "?wait=" + waitSeconds : "")
                + (waitSeconds > 0 && live ? "&live=true" : "");
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + call.business().token())
                .timeout(Duration.ofSeconds(waitSeconds + 15L)).build();
        HttpResponse<String> answer;
        try {
            answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (answer.statusCode() != 200) {
            throw new IOException("status of " + call.callSid() + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    /** Plays the recording and waits (long-poll, else polling) until it is ready; returns its status JSON. */
    JsonNode playAndAwaitReady(Call call, Duration timeout) throws Exception {
        int answer = play(call);
        if (answer != 202 && answer != 200) {
            throw new IllegalStateException("explicit play answered " + answer);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = status(call, 10);
            String state = status.path("status").asText();
            if (state.equals("ready")) {
                return status;
            }
            if (state.equals("failed")) {
                throw new IllegalStateException("recording failed: " + status);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("recording of " + call.callSid() + " not ready after " + timeout.toSeconds() + " s");
    }

    /**
     * The sum of a metric's samples whose labels include every {@code label="value"} given, from a
     * service's {@code /q/metrics} (Prometheus text); 0 when there is none.
     */
    double metric(String serviceUrl, String name, String... labels) throws IOException, InterruptedException {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(serviceUrl + "/q/metrics"))
                .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IOException(serviceUrl + "/q/metrics answered " + answer.statusCode());
        }
        double sum = 0;
        for (String line : answer.body().split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            int end = line.startsWith(name + "{") ? line.indexOf('}') : name.length() - 1;
            String labelSet = line.substring(name.length(), end + 1);
            boolean matches = true;
            for (String label : labels) {
                matches &= labelSet.contains(label);
            }
            if (matches) {
                sum += Double.parseDouble(line.substring(end + 1).trim().split("\\s+")[0]);
            }
        }
        return sum;
    }

    /** Where the api stores a recording: {@code <storage>/<businessId>/<callSid>.mp3}. */
    Path storedFile(Call call) {
        return stack.storage().resolve(call.business().id() + "/" + call.callSid() + ".mp3");
    }

    // ------------------------------------------------------------------ the machine's servers

    private static void recreateDatabase() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("connectTimeout", "5");
        try (Connection db = DriverManager.getConnection(POSTGRES + "postgres", properties)) {
            db.createStatement().execute("drop database if exists " + DATABASE + " with (force)");
            db.createStatement().execute("create database " + DATABASE);
        }
    }

    /** SELECT n + FLUSHDB over a plain socket (RESP), so that nothing but a JDK is needed. */
    private static void flushRedisDatabase() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", REDIS_PORT)) {
            socket.setSoTimeout(5000);
            String db = Integer.toString(REDIS_DB);
            String command = "*2\r\n$6\r\nSELECT\r\n$" + db.length() + "\r\n" + db + "\r\n*1\r\n$7\r\nFLUSHDB\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(command.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            while (reply.toString().split("\r\n", -1).length < 3) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                reply.append((char) b);
            }
            if (!reply.toString().equals("+OK\r\n+OK\r\n")) {
                throw new IOException("Redis SELECT " + db + " / FLUSHDB answered " + reply);
            }
        }
    }

    // ------------------------------------------------------------------ small things

    static ThreadFactory daemonThreads() {
        return runnable -> {
            Thread thread = new Thread(runnable);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The repository root: the working directory or its parent (bench/run.sh runs from the root). */
    private static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path candidate : new Path[]{here, here.getParent()}) {
            if (candidate != null && Files.isDirectory(candidate.resolve("api"))
                    && Files.isDirectory(candidate.resolve("bench"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("run from the repository root (bench/run.sh does): " + here);
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
