package playback.devstack;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the system's processes are started on one machine: the provider simulator, api replicas and
 * worker replicas, all against one PostgreSQL, one Redis and one storage directory. Used by the
 * one-command run and by the end-to-end checks.
 *
 * Each {@code PLAYBACK_*} variable a process gets is the user's export when there is one, else the
 * demo's value ({@link Settings}); the overrides passed to {@link #api} and {@link #worker} win over
 * both. The provider account and token are resolved once, so the simulator, the api, the worker and
 * whoever signs webhooks ({@link #providerAuthToken()}) agree.
 */
public final class Stack {

    /** The demo's provider account, unless PLAYBACK_PROVIDER_ACCOUNT_SID is exported. */
    public static final String PROVIDER_ACCOUNT_SID = "AC00000000000000000000000000000000";
    /** The demo's provider auth token, unless PLAYBACK_PROVIDER_AUTH_TOKEN is exported. */
    public static final String PROVIDER_AUTH_TOKEN = "dev-provider-auth-token";
    private static final String STREAM_URL_SECRET = "dev-stream-url-secret";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Settings settings;
    private final Path root;
    private final Path logs;
    private final Path storage;
    private final String jdbcUrl;
    private final String dbUser;
    private final String redisUrl;

    /**
     * @param root     the repository root (jars are read from the modules' target folders)
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

    /** The provider account the simulator accepts and the worker uses. */
    public String providerAccountSid() {
        return settings.get("PLAYBACK_PROVIDER_ACCOUNT_SID", PROVIDER_ACCOUNT_SID);
    }

    /** The provider auth token: the simulator's password, the key of webhook signatures. */
    public String providerAuthToken() {
        return settings.get("PLAYBACK_PROVIDER_AUTH_TOKEN", PROVIDER_AUTH_TOKEN);
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
        env.putAll(overrides);
        return env;
    }

    /** Waits for the process to be healthy; one that never gets there is stopped, not left behind. */
    private static ManagedProcess healthy(ManagedProcess process) throws IOException {
        try {
            return process.awaitHealthy(START_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            process.stop(Duration.ofSeconds(10));
            throw e;
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
        return env;
    }

    /** Sets the variable to the user's value when exported, else to the demo's. */
    private void demo(Map<String, String> env, String variable, String demoValue) {
        env.put(variable, settings.get(variable, demoValue));
    }
}
