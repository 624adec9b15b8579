package playback.e2e;

import playback.devstack.Stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A PostgreSQL cluster and a Redis server of the tests' own, on free ports with their data under one
 * folder, started from the machine's binaries, so that the end-to-end checks can stop, restart and flush
 * them without touching the machine's own servers. PostgreSQL refuses to run as root: as root, its
 * commands run as the {@code postgres} OS user.
 */
final class OwnedServers implements AutoCloseable {

    private static final Duration START_TIMEOUT = ServerProcesses.START_TIMEOUT;

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
        OwnedServers servers = new OwnedServers(dir.toAbsolutePath(), ServerProcesses.postgresBinaries(), Stack.freePort(),
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
        return ServerProcesses.redisCli(redisPort, args);
    }

    /** Redis goes away without saving, as in a crash, stays away for {@code down}, then comes back empty. */
    void restartRedisAfter(Duration down) throws IOException {
        redisCli("SHUTDOWN", "NOSAVE");
        ServerProcesses.awaitExit(redis);
        ServerProcesses.pause(down);
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
            ServerProcesses.awaitExit(redis);
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
        ServerProcesses.wipe(dir);
        Files.createDirectories(dir.resolve("redis"));
        ServerProcesses.postgresFolder(dir.resolve("postgres"));
    }

    private void initPostgres() throws IOException {
        // A throwaway cluster: reachable on 127.0.0.1 only, no Unix socket, durability off.
        ServerProcesses.initPostgres(pgBin, pgData, List.of(
                "port = " + postgresPort,
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = ''",
                "max_connections = 200",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off"));
    }

    private void startRedis() throws IOException {
        Path config = dir.resolve("redis/redis.conf");
        Files.writeString(config, String.join("\n", "port " + redisPort, "bind 127.0.0.1", "save \"\"",
                "appendonly no", "dir " + dir.resolve("redis"), ""));
        redis = ServerProcesses.startRedis(config, redisPort, dir.resolve("redis/redis.log"));
        ServerProcesses.remember(dir, redis);
    }

    private String pgCtl(String... args) {
        List<String> command = new ArrayList<>(List.of(pgBin.resolve("pg_ctl").toString(), "-D", pgData.toString(), "-w",
                "-t", Long.toString(START_TIMEOUT.toSeconds())));
        command.addAll(List.of(args));
        return ServerProcesses.run(ServerProcesses.asPostgresUser(command), START_TIMEOUT.plusSeconds(10));
    }
}
