package playback.e2e;

import playback.devstack.Stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster and a Redis server of the tests' own, on free ports with their data under one
 * folder, started from the machine's binaries, so that the end-to-end checks can stop, restart and flush
 * them without touching the machine's own servers. PostgreSQL refuses to run as root: as root, its
 * commands run as the {@code postgres} OS user.
 */
final class OwnedServers implements AutoCloseable {

    private static final String POSTGRES_OS_USER = "postgres";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final Path pgBin;
    private final Path pgData;
    private final int postgresPort;
    private final int redisPort;
    private Process redis;
    private boolean postgresRunning;

    private OwnedServers(Path dir, Path pgBin, int postgresPort, int redisPort) {
        this.dir = dir;
        this.pgBin = pgBin;
        this.pgData = dir.resolve("postgres/data");
        this.postgresPort = postgresPort;
        this.redisPort = redisPort;
    }

    /** Starts both on free ports; what an earlier run left in {@code dir} is stopped and wiped first. */
    static OwnedServers start(Path dir) throws IOException {
        OwnedServers servers = new OwnedServers(dir.toAbsolutePath(), postgresBinaries(), Stack.freePort(),
                Stack.freePort());
        Runtime.getRuntime().addShutdownHook(new Thread(servers::close, "stop owned servers"));
        try {
            servers.wipeLeftovers();
            servers.initPostgres();
            servers.startPostgres();
            servers.startRedis();
        } catch (IOException | RuntimeException e) {
            servers.close();
            throw e;
        }
        return servers;
    }

    String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/" + database;
    }

    String redisUrl(int database) {
        return "redis://127.0.0.1:" + redisPort + "/" + database;
    }

    private Connection connect(String database) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("connectTimeout", "3");
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    /** Creates the database, empty (the cluster is new each run). */
    void createDatabase(String database) throws SQLException {
        try (Connection db = connect("postgres")) {
            db.createStatement().execute("create database " + database);
        }
    }

    /** redis-cli against this Redis; returns its output. */
    String redisCli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(redisPort)));
        command.addAll(List.of(args));
        return run(command, Duration.ofSeconds(30));
    }

    /** Redis goes away without saving, as in a crash, stays away for {@code down}, then comes back empty. */
    void restartRedisAfter(Duration down) throws IOException {
        redisCli("SHUTDOWN", "NOSAVE");
        awaitExit(redis);
        pause(down);
        startRedis();
    }

    void stopPostgres() {
        pgCtl("stop", "-m", "fast");
        postgresRunning = false;
    }

    void startPostgres() throws IOException {
        String output = pgCtl("start", "-l", dir.resolve("postgres/postgres.log").toString());
        postgresRunning = true;
        if (!output.contains("server started")) {
            throw new IOException("PostgreSQL did not start: " + output + "; see " + dir.resolve("postgres/postgres.log"));
        }
    }

    @Override
    public synchronized void close() {
        if (redis != null && redis.isAlive()) {
            redis.destroy();
            awaitExit(redis);
        }
        if (postgresRunning && Files.exists(pgData.resolve("postmaster.pid"))) {
            pgCtl("stop", "-m", "fast");
        }
        postgresRunning = false;
    }

    private void wipeLeftovers() throws IOException {
        if (Files.exists(pgData.resolve("postmaster.pid"))) {
            pgCtl("stop", "-m", "immediate");
        }
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        Files.createDirectories(dir.resolve("redis"));
        Path postgres = Files.createDirectories(dir.resolve("postgres"));
        if (runningAsRoot()) {
            UserPrincipalLookupService users = postgres.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(postgres, users.lookupPrincipalByName(POSTGRES_OS_USER));
        }
    }

    private void initPostgres() throws IOException {
        String output = asPostgresUser(List.of(pgBin.resolve("initdb").toString(), "-D", pgData.toString(),
                "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"), Duration.ofSeconds(60));
        if (!Files.exists(pgData.resolve("PG_VERSION"))) {
            throw new IOException("initdb failed: " + output);
        }
        // A throwaway cluster: reachable on 127.0.0.1 only, no Unix socket, durability off.
        Files.writeString(pgData.resolve("postgresql.conf"), String.join("\n", "",
                "port = " + postgresPort,
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = ''",
                "max_connections = 200",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                ""), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private void startRedis() throws IOException {
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.resolve("redis").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis/redis.log").toFile()))
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!"PONG".equals(redisCli("PING").trim())) {
            if (!redis.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("Redis did not start on port " + redisPort + "; see " + dir.resolve("redis/redis.log"));
            }
            pause(Duration.ofMillis(100));
        }
    }

    private String pgCtl(String... args) {
        List<String> command = new ArrayList<>(List.of(pgBin.resolve("pg_ctl").toString(), "-D", pgData.toString(), "-w",
                "-t", Long.toString(START_TIMEOUT.toSeconds())));
        command.addAll(List.of(args));
        return asPostgresUser(command, START_TIMEOUT.plusSeconds(10));
    }

    private static String asPostgresUser(List<String> command, Duration timeout) {
        if (!runningAsRoot()) {
            return run(command, timeout);
        }
        List<String> asUser = new ArrayList<>(List.of("runuser", "-u", POSTGRES_OS_USER, "--"));
        asUser.addAll(command);
        return run(asUser, timeout);
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest installed server binaries (Debian's /usr/lib/postgresql/N/bin), else pg_config's. */
    private static Path postgresBinaries() throws IOException {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                var newest = versions.filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                        .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparingDouble(v -> Double.parseDouble(v.getFileName().toString())));
                if (newest.isPresent()) {
                    return newest.get().resolve("bin");
                }
            }
        }
        Path bin = Path.of(run(List.of("pg_config", "--bindir"), Duration.ofSeconds(10)).trim());
        if (!Files.isExecutable(bin.resolve("initdb"))) {
            throw new IOException("no PostgreSQL server binaries (initdb) found in /usr/lib/postgresql/*/bin or " + bin);
        }
        return bin;
    }

    private static String run(List<String> command, Duration timeout) {
        try {
            Process process = new ProcessBuilder(command).directory(Path.of("/").toFile()).redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
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

    private static void awaitExit(Process process) {
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** A fault's duration or a poll's pace; never used to wait for something that can be checked. */
    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
