package playback.devstack;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * How the system's processes are started on one machine: the provider simulator, api replicas and
 * worker replicas, all against one PostgreSQL, one Redis and one storage directory. Used by the
 * one-command run, the end-to-end checks, the benchmarks and the worker beside the api's tests.
 *
 * Each {@code PLAYBACK_*} variable a process gets is the user's export when there is one, else the
 * demo's value ({@link Settings}); the overrides passed to {@link #api} and {@link #worker} win over
 * both. The provider account and token are resolved once, so the simulator, the api, the worker and
 * whoever signs webhooks ({@link #providerAuthToken()}) agree.
 *
 * The stack owns every process it starts (and the helpers given to {@link #adopt}): {@link #close()}
 * stops them, newest first, and so does a shutdown hook when the JVM ends without closing it (Ctrl-C,
 * a failure).
 */
public final class Stack implements AutoCloseable {

    /** The demo's provider account, unless PLAYBACK_PROVIDER_ACCOUNT_SID is exported. */
    public static final String PROVIDER_ACCOUNT_SID = "AC00000000000000000000000000000000";
    /** The demo's provider auth token, unless PLAYBACK_PROVIDER_AUTH_TOKEN is exported. */
    public static final String PROVIDER_AUTH_TOKEN = "dev-provider-auth-token";
    private static final String STREAM_URL_SECRET = "dev-stream-url-secret";
    /** What the api replicas present to read a recording from the worker receiving it. */
    private static final String LIVE_TOKEN = "dev-live-token";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration HELPER_GRACE = Duration.ofSeconds(5);

    private final Settings settings;
    private final Path root;
    private final Path logs;
    private final Path storage;
    private final String jdbcUrl;
    private final String dbUser;
    private final String redisUrl;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::close, "stop the stack");
    private boolean hookAdded;
    private volatile boolean closed;

    /**
     * @param root     the repository root, or a copy of its build output: the modules' jars are read from
     *                 their target folders, the api's dev keys from api/src/main/resources/dev-keys
     * @param logs     where each process logs
     * @param storage  the recording store shared by api and worker processes (unless PLAYBACK_STORAGE_DIR
     *                 is exported)
     * @param jdbcUrl  PostgreSQL, e.g. jdbc:postgresql://127.0.0.1:5432/playback
     * @param redisUrl Redis, e.g. redis://127.0.0.1:6379/0
     */
    public Stack(Path root, Path logs, Path storage, String jdbcUrl, String dbUser, String redisUrl) {
        this(Settings.fromEnvironment(), root, logs, storage, jdbcUrl, dbUser, redisUrl);
    }

    public Stack(Settings settings, Path root, Path logs, Path storage, String jdbcUrl, String dbUser,
                 String redisUrl) {
        this.settings = settings;
        this.root = root.toAbsolutePath().normalize();
        this.logs = logs.toAbsolutePath();
        this.storage = Path.of(settings.get("PLAYBACK_STORAGE_DIR", storage.toString())).toAbsolutePath();
        this.jdbcUrl = jdbcUrl;
        this.dbUser = dbUser;
        this.redisUrl = redisUrl;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String dbUser() {
        return dbUser;
    }

    public String redisUrl() {
        return redisUrl;
    }

    public Path storage() {
        return storage;
    }

    /** A connection to the stack's database. */
    public Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", dbUser);
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    /** The provider account the simulator accepts and the worker uses. */
    public String providerAccountSid() {
        return settings.get("PLAYBACK_PROVIDER_ACCOUNT_SID", PROVIDER_ACCOUNT_SID);
    }

    /** The provider auth token: the simulator's password, the key of webhook signatures. */
    public String providerAuthToken() {
        return settings.get("PLAYBACK_PROVIDER_AUTH_TOKEN", PROVIDER_AUTH_TOKEN);
    }

    /** A port nothing listens on now, for a process or server to start on. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public ManagedProcess simulator(String name, int port, int storagePort) throws IOException {
        return healthy(ManagedProcess.startJar(name, root.resolve("simulator/target/simulator.jar"), List.of("-Xmx256m"),
                simulatorEnvironment(port, storagePort), logs.resolve(name + ".log"),
                "http://127.0.0.1:" + port + "/sim/health"));
    }

    /** An api replica; it migrates the schema at start. */
    public ManagedProcess api(String name, int port, String simulatorUrl, Map<String, String> overrides)
            throws IOException {
        return healthy(ManagedProcess.startJar(name, root.resolve("api/target/quarkus-app/quarkus-run.jar"),
                List.of("-Xmx512m"), apiEnvironment(port, simulatorUrl, overrides), logs.resolve(name + ".log"),
                "http://127.0.0.1:" + port + "/q/health/ready"));
    }

    /** A worker replica; start it after an api has migrated the schema. */
    public ManagedProcess worker(String name, int port, String providerUrl, Map<String, String> overrides)
            throws IOException {
        return healthy(ManagedProcess.startJar(name, root.resolve("worker/target/quarkus-app/quarkus-run.jar"),
                List.of("-Xmx384m"), workerEnvironment(port, providerUrl, overrides), logs.resolve(name + ".log"),
                "http://127.0.0.1:" + port + "/q/health/ready"));
    }

    Map<String, String> simulatorEnvironment(int port, int storagePort) {
        return Map.of(
                "SIM_PORT", Integer.toString(port),
                "SIM_STORAGE_PORT", Integer.toString(storagePort),
                "SIM_ACCOUNT_SID", providerAccountSid(),
                "SIM_AUTH_TOKEN", providerAuthToken());
    }

    Map<String, String> apiEnvironment(int port, String simulatorUrl, Map<String, String> overrides) {
        Map<String, String> env = common(port);
        demo(env, "PLAYBACK_DEV_AUTH_ENABLED", "true");
        demo(env, "PLAYBACK_DEV_SIMULATOR_URL", simulatorUrl);
        demo(env, "PLAYBACK_JWT_PUBLIC_KEY_LOCATION",
                root.resolve("api/src/main/resources/dev-keys/publicKey.pem").toString());
        demo(env, "PLAYBACK_JWT_PRIVATE_KEY_LOCATION",
                root.resolve("api/src/main/resources/dev-keys/privateKey.pem").toString());
        demo(env, "PLAYBACK_STREAM_URL_SECRET", STREAM_URL_SECRET);
        env.putAll(overrides);
        return env;
    }

    Map<String, String> workerEnvironment(int port, String providerUrl, Map<String, String> overrides) {
        Map<String, String> env = common(port);
        demo(env, "PLAYBACK_PROVIDER_BASE_URL", providerUrl);
        env.put("PLAYBACK_PROVIDER_ACCOUNT_SID", providerAccountSid());
        env.put("PLAYBACK_LIVE_ADVERTISED_URL", "http://127.0.0.1:" + port);
        env.putAll(overrides);
        return env;
    }

    /**
     * A helper process (a web server to compare with, a load generator) to stop with the stack if it still
     * runs then: SIGTERM, then SIGKILL after a grace period.
     */
    public Process adopt(Process helper) {
        own(() -> {
            helper.destroy();
            try {
                if (!helper.waitFor(HELPER_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    helper.destroyForcibly();
                }
            } catch (InterruptedException e) {
                helper.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        });
        return helper;
    }

    /** True once {@link #close()} has begun: the processes are being stopped on purpose. */
    public boolean isClosed() {
        return closed;
    }

    /** Stops everything the stack started, newest first. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = owned.size() - 1; i >= 0; i--) {
            closeQuietly(owned.get(i));
        }
        owned.clear();
        if (hookAdded && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook runs or has run: it finds the stack closed
            }
        }
    }

    /**
     * Waits for the process to be healthy. It is owned before the wait, so that Ctrl-C meanwhile stops
     * it too; one that never gets healthy is stopped, not left behind.
     */
    private ManagedProcess healthy(ManagedProcess process) throws IOException {
        own(process);
        try {
            return process.awaitHealthy(START_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            process.stop(Duration.ofSeconds(10));
            throw e;
        }
    }

    private synchronized void own(AutoCloseable resource) {
        if (closed) {
            closeQuietly(resource);
            throw new IllegalStateException("the stack is stopped");
        }
        if (!hookAdded) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            hookAdded = true;
        }
        owned.add(resource);
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("while stopping: " + e.getMessage());
        }
    }

    private Map<String, String> common(int port) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl);
        env.put("QUARKUS_DATASOURCE_USERNAME", dbUser);
        env.put("QUARKUS_REDIS_HOSTS", redisUrl);
        env.put("PLAYBACK_STORAGE_DIR", storage.toString());
        env.put("PLAYBACK_PROVIDER_AUTH_TOKEN", providerAuthToken());
        demo(env, "PLAYBACK_LIVE_TOKEN", LIVE_TOKEN);
        return env;
    }

    /** Sets the variable to the user's value when exported, else to the demo's. */
    private void demo(Map<String, String> env, String variable, String demoValue) {
        env.put(variable, settings.get(variable, demoValue));
    }
}
