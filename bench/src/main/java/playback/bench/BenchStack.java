package playback.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import playback.devstack.DemoData;
import playback.devstack.ManagedProcess;
import playback.devstack.Stack;
import playback.devstack.TwilioWebhooks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * The setup every benchmark shares: a fresh database {@value #DATABASE} and Redis database
 * {@value #REDIS_DB} on the machine's own servers, then the provider simulator, one api and one worker on
 * free loopback ports. Everything it started is stopped by {@link #close()}, which a shutdown hook also
 * calls (Ctrl-C, failures).
 */
public final class BenchStack implements AutoCloseable {

    static final String DATABASE = "playback_bench";
    static final int REDIS_DB = 4;
    static final String PG_HOST = "127.0.0.1";
    static final int PG_PORT = 5432;
    static final int REDIS_PORT = 6379;

    /** Copies of the jars bench/run.sh takes right after building, safe from a concurrent rebuild. */
    static final String SNAPSHOT = "bench/target/snapshot";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    record Business(long id, String accountSid, String token) {
    }

    record Call(Business business, String callSid, String recordingSid) {
    }

    private final List<ManagedProcess> services = new ArrayList<>();
    private final List<Process> helpers = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::close, "bench-shutdown");
    private boolean closed;

    final Path root;
    final Path work;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newCachedThreadPool(daemonThreads())).connectTimeout(Duration.ofSeconds(5)).build();
    String simulatorUrl;
    String apiUrl;
    ManagedProcess api;
    ManagedProcess worker;
    Path storage;

    private BenchStack(Path root, Path work) {
        this.root = root;
        this.work = work;
    }

    /** Recreates the database, flushes the Redis database, starts simulator, api and worker. */
    static BenchStack start(String name) throws Exception {
        Path root = repositoryRoot();
        BenchStack bench = new BenchStack(root, root.resolve("bench/target/bench-run/" + name));
        Runtime.getRuntime().addShutdownHook(bench.shutdownHook);
        try {
            bench.startProcesses();
            return bench;
        } catch (Exception | Error e) {
            bench.close();
            throw e;
        }
    }

    private void startProcesses() throws Exception {
        deleteRecursively(work);
        Files.createDirectories(work);
        printMachineLoad();
        recreateDatabase();
        flushRedisDatabase();
        Path jars = Files.isDirectory(root.resolve(SNAPSHOT)) ? root.resolve(SNAPSHOT) : root;
        storage = work.resolve("recordings");
        int simPort = freePort();
        simulatorUrl = "http://127.0.0.1:" + simPort;
        start("simulator", jars.resolve("simulator/target/simulator.jar"), "-Xmx256m", Map.of(
                "SIM_PORT", Integer.toString(simPort),
                "SIM_STORAGE_PORT", Integer.toString(freePort()),
                "SIM_ACCOUNT_SID", Stack.PROVIDER_ACCOUNT_SID,
                "SIM_AUTH_TOKEN", Stack.PROVIDER_AUTH_TOKEN), simulatorUrl + "/sim/health", "");
        int apiPort = freePort();
        apiUrl = "http://127.0.0.1:" + apiPort;
        Map<String, String> apiEnv = common(apiPort);
        apiEnv.put("PLAYBACK_DEV_AUTH_ENABLED", "true");
        apiEnv.put("PLAYBACK_DEV_SIMULATOR_URL", simulatorUrl);
        apiEnv.put("PLAYBACK_JWT_PUBLIC_KEY_LOCATION", jars.resolve("api/src/main/resources/dev-keys/publicKey.pem").toString());
        apiEnv.put("PLAYBACK_JWT_PRIVATE_KEY_LOCATION", jars.resolve("api/src/main/resources/dev-keys/privateKey.pem").toString());
        apiEnv.put("PLAYBACK_STREAM_URL_SECRET", "bench-stream-url-secret");
        api = start("api", jars.resolve("api/target/quarkus-app/quarkus-run.jar"), "-Xmx512m", apiEnv,
                apiUrl + "/q/health/ready", System.getenv().getOrDefault("BENCH_API_JAVA_OPTS", ""));
        int workerPort = freePort();
        Map<String, String> workerEnv = common(workerPort);
        workerEnv.put("PLAYBACK_PROVIDER_BASE_URL", simulatorUrl);
        workerEnv.put("PLAYBACK_PROVIDER_ACCOUNT_SID", Stack.PROVIDER_ACCOUNT_SID);
        worker = start("worker", jars.resolve("worker/target/quarkus-app/quarkus-run.jar"), "-Xmx384m", workerEnv,
                "http://127.0.0.1:" + workerPort + "/q/health/ready", "");
        System.out.printf("stack: simulator %s, api %s (pid %d), worker pid %d; jars from %s; logs in %s%n",
                simulatorUrl, apiUrl, api.pid(), worker.pid(), jars, work.resolve("logs"));
    }

    /**
     * Like devstack's {@link Stack}, with the same settings and heap sizes, but the process is owned by
     * this stack before it is waited on, so that one which never becomes healthy is stopped too.
     * extraJvmArgs: for diagnostics only (BENCH_API_JAVA_OPTS, e.g. -XX:NativeMemoryTracking=summary).
     */
    private ManagedProcess start(String name, Path jar, String heap, Map<String, String> env, String healthUrl,
                                 String extraJvmArgs) throws IOException {
        List<String> jvmArgs = new ArrayList<>(List.of(heap));
        if (!extraJvmArgs.isBlank()) {
            jvmArgs.addAll(List.of(extraJvmArgs.trim().split("\\s+")));
        }
        ManagedProcess process = ManagedProcess.startJar(name, jar, jvmArgs, env,
                work.resolve("logs/" + name + ".log"), healthUrl);
        synchronized (this) {
            services.add(process);
        }
        return process.awaitHealthy(START_TIMEOUT);
    }

    private Map<String, String> common(int port) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + DATABASE);
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_REDIS_HOSTS", "redis://127.0.0.1:" + REDIS_PORT + "/" + REDIS_DB);
        env.put("PLAYBACK_STORAGE_DIR", storage.toString());
        env.put("PLAYBACK_PROVIDER_AUTH_TOKEN", Stack.PROVIDER_AUTH_TOKEN);
        return env;
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

    /** A helper process (nginx, wrk) to stop with the stack if it is still running then. */
    synchronized Process adopt(Process process) {
        helpers.add(process);
        return process;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process helper : helpers) {
            if (helper.isAlive()) {
                helper.destroy();
                try {
                    if (!helper.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                        helper.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    helper.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).stop(Duration.ofSeconds(15));
        }
        services.clear();
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    // ------------------------------------------------------------------ data

    /** A business (tenant) inserted over JDBC, with a dev token from the api. */
    Business business(String name) throws Exception {
        String accountSid = sid("AC");
        long id;
        try (Connection db = connect(DATABASE)) {
            id = DemoData.upsertBusiness(db, name, accountSid);
        }
        HttpResponse<String> token = post(apiUrl + "/api/dev/token", "{\"business_id\":" + id + ",\"user\":\"bench\"}");
        return new Business(id, accountSid, JSON.readTree(token.body()).path("token").asText());
    }

    /** A completed call with a recording, scripted at the simulator, sent through signed webhooks. */
    Call call(Business business, String script) throws Exception {
        Call call = new Call(business, sid("CA"), sid("RE"));
        script(call.recordingSid(), script);
        new TwilioWebhooks(apiUrl, Stack.PROVIDER_AUTH_TOKEN)
                .completedCall(business.accountSid(), call.callSid(), call.recordingSid(), 65, 60);
        return call;
    }

    void script(String recordingSid, String script) {
        HttpResponse<String> answer = post(simulatorUrl + "/sim/recordings/" + recordingSid, script);
        if (answer.statusCode() != 204) {
            throw new IllegalStateException("simulator refused script " + script + ": " + answer.body());
        }
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
        String url = apiUrl + "/api/recordings/" + call.callSid() + "/status" + (waitSeconds > 0 ? "?wait=" + waitSeconds : "");
        HttpResponse<String> answer = get(url, call.business().token(), Duration.ofSeconds(waitSeconds + 15L));
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

    /** Where the api stores a recording: {@code <storage>/<businessId>/<callSid>.mp3}. */
    Path storedFile(Call call) {
        return storage.resolve(call.business().id() + "/" + call.callSid() + ".mp3");
    }

    // ------------------------------------------------------------------ the simulator

    JsonNode simulatorStats() throws IOException {
        return JSON.readTree(get(simulatorUrl + "/sim/stats", null, Duration.ofSeconds(10)).body());
    }

    int providerFetches(Call call) throws IOException {
        return simulatorStats().path("fetches").path(call.recordingSid()).asInt(0);
    }

    // ------------------------------------------------------------------ PostgreSQL

    int count(String sql, Object... parameters) throws SQLException {
        try (Connection db = connect(DATABASE); PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    static Connection connect(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database, properties);
    }

    private static void recreateDatabase() throws SQLException {
        try (Connection db = connect("postgres")) {
            db.createStatement().execute("drop database if exists " + DATABASE + " with (force)");
            db.createStatement().execute("create database " + DATABASE);
        }
    }

    // ------------------------------------------------------------------ Redis

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

    // ------------------------------------------------------------------ HTTP

    HttpResponse<String> get(String url, String token, Duration timeout) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    HttpResponse<String> post(String url, String json) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("POST " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ small things

    static String sid(String prefix) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static java.util.concurrent.ThreadFactory daemonThreads() {
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
