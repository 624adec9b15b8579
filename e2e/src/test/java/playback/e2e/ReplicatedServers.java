package playback.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import playback.devstack.Stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Replicated servers of the tests' own, on free ports with their data under one folder, for the failover
 * checks: a Redis primary with two replicas watched by three sentinels (master name {@value #MASTER_NAME}),
 * and PostgreSQL with automatic failover by pg_auto_failover (Debian's postgresql-N-auto-failover): a
 * monitor, a primary and a synchronous standby. Any one server can be killed, frozen or restarted; the
 * waits tell when the failover is done and when the topology is whole again, and fail with what they saw.
 *
 * <p>Two Redis replicas, not one: every Redis node has {@code min-replicas-to-write 1}, so that a primary
 * cut off from its replicas (one that was frozen while a replica was promoted) refuses writes instead of
 * accepting writes it will throw away when it is turned into a replica. With a single replica, the
 * promoted one would have no replica left and refuse writes until the lost node is back, and a restart
 * of the replica would stop writes as well.
 *
 * <p>Each PostgreSQL node runs in the foreground in a process group of its own ({@code setsid}), so that
 * killing the group kills the whole server, pg_autoctl's keeper and PostgreSQL, as a crash of its machine
 * would (the keeper would restart a PostgreSQL killed alone).
 */
final class ReplicatedServers implements AutoCloseable {

    static final String MASTER_NAME = "playback";
    private static final int REDIS_NODES = 3;
    private static final int SENTINELS = 3;
    private static final int QUORUM = 2;
    private static final Duration REDIS_DOWN_AFTER = Duration.ofSeconds(5);
    private static final Duration REDIS_FAILOVER_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** States in which a node of pg_auto_failover's takes writes. */
    private static final Set<String> WRITABLE_STATES = Set.of("single", "wait_primary", "primary");

    /**
     * The monitor's timing: a node is checked every second and considered down 4 s after its last report,
     * and a standby is promoted 5 s after its primary was told to demote (the keepers demote themselves
     * after 3 s without the monitor and the standby, {@code timeout.network_partition_timeout}, so that a
     * primary cut off from both has stopped taking writes by then).
     */
    private static final List<String> MONITOR_TIMING = List.of(
            "pgautofailover.health_check_period = 1000",
            "pgautofailover.health_check_timeout = 2000",
            "pgautofailover.health_check_max_retries = 2",
            "pgautofailover.health_check_retry_delay = 500",
            "pgautofailover.node_considered_unhealthy_timeout = 4000",
            "pgautofailover.primary_demote_timeout = 5000");
    private static final int KEEPER_NETWORK_PARTITION_SECONDS = 3;

    private final Path dir;
    private final Path pgBin;
    private final RedisNode[] redis = new RedisNode[REDIS_NODES];
    private final Sentinel[] sentinels = new Sentinel[SENTINELS];
    private final PostgresServer monitor;
    private final PostgresServer[] postgres = new PostgresServer[2];
    /** The Redis node lost to the latest fault (killed or frozen), and when. */
    private RedisNode lostRedis;
    private PostgresServer lostPostgres;
    private long struckNanos;
    /** PostgreSQL's Unix sockets (pg_autoctl needs them): a short path, as a socket's path is limited to 107 bytes. */
    private Path sockets;
    private boolean closed;

    private ReplicatedServers(Path dir, Path pgBin) throws IOException {
        this.dir = dir;
        this.pgBin = pgBin;
        for (int i = 0; i < REDIS_NODES; i++) {
            redis[i] = new RedisNode("redis-" + (i + 1), Stack.freePort());
        }
        for (int i = 0; i < SENTINELS; i++) {
            sentinels[i] = new Sentinel("sentinel-" + (i + 1), Stack.freePort());
        }
        monitor = new PostgresServer("monitor", Stack.freePort());
        for (int i = 0; i < postgres.length; i++) {
            postgres[i] = new PostgresServer("node" + (i + 1), Stack.freePort());
        }
    }

    /**
     * Starts every server and waits until the topology is whole; what an earlier run left in {@code dir} is
     * stopped and wiped first.
     */
    static ReplicatedServers start(Path dir) throws IOException, SQLException {
        Path pgBin = ServerProcesses.postgresBinaries();
        requireAutoFailover(pgBin);
        ReplicatedServers servers = new ReplicatedServers(dir.toAbsolutePath(), pgBin);
        Runtime.getRuntime().addShutdownHook(new Thread(servers::close, "stop replicated servers"));
        try {
            ServerProcesses.wipe(servers.dir);
            Files.createDirectories(servers.dir.resolve("logs"));
            servers.startRedis();
            servers.startPostgres();
        } catch (IOException | SQLException | RuntimeException e) {
            servers.close();
            throw e;
        }
        return servers;
    }

    /** pg_autoctl and the monitor's extension for this PostgreSQL version, or a message naming the package. */
    private static void requireAutoFailover(Path pgBin) throws IOException {
        String version;
        try {
            version = ServerProcesses.run(List.of("pg_autoctl", "--version"), Duration.ofSeconds(10));
        } catch (IllegalStateException e) {
            version = "";
        }
        if (!version.contains("pg_autoctl version") || !Files.exists(pgBin.getParent().resolve("lib/pgautofailover.so"))) {
            throw new IOException("pg_auto_failover is missing for " + pgBin + ": install Debian's postgresql-"
                    + pgBin.getParent().getFileName() + "-auto-failover");
        }
    }

    // ------------------------------------------------------------------ Redis

    /** The sentinels, as {@code QUARKUS_REDIS_HOSTS} lists them. */
    String sentinelHosts() {
        return Arrays.stream(sentinels).map(s -> "redis://127.0.0.1:" + s.port).collect(Collectors.joining(","));
    }

    /** The Redis primary's port as the sentinels see it (the first that answers). */
    int redisPrimary() {
        for (Sentinel sentinel : sentinels) {
            Integer port = sentinel.primaryPort();
            if (port != null) {
                return port;
            }
        }
        throw new IllegalStateException("no sentinel names a primary: " + redisTopology());
    }

    /** SIGKILL to the Redis primary: it is gone with whatever it had not replicated yet. */
    void killRedisPrimary() {
        lostRedis = redisNode(redisPrimary());
        struckNanos = System.nanoTime();
        lostRedis.process.destroyForcibly();
        ServerProcesses.awaitExit(lostRedis.process);
    }

    /** SIGSTOP to the Redis primary: it hangs, its connections open, until {@link #thawRedisPrimary}. */
    void freezeRedisPrimary() {
        lostRedis = redisNode(redisPrimary());
        struckNanos = System.nanoTime();
        ServerProcesses.signal(lostRedis.process.pid(), "STOP");
    }

    /**
     * SIGCONT to the frozen node. Meanwhile the sentinels have promoted a replica; the node still believes
     * it is the primary until they turn it into a replica. Returns what it answers to a write once it has
     * counted its replicas again: an error ({@code NOREPLICAS}, or {@code READONLY} once it is a replica),
     * never {@code OK}, or it would be a second primary.
     */
    String thawRedisPrimary() {
        RedisNode thawed = lostRedis;
        ServerProcesses.signal(thawed.process.pid(), "CONT");
        // Its count of good replicas is refreshed once a second: ask only after it has been.
        await(Duration.ofSeconds(10), () -> thawed.role().startsWith("slave")
                || thawed.info("replication").contains("min_slaves_good_slaves:0"), "the thawed node counting its replicas");
        return thawed.cli("SET", "failover-test-probe", "written by a second primary").trim();
    }

    /** Starts the killed node again, empty, as a replica of the primary the sentinels promoted (as its supervisor would). */
    void rejoinRedis() throws IOException {
        RedisNode node = lostRedis;
        node.start(redisPrimary());
    }

    /** Restarts a replica (SHUTDOWN, then a start as a replica of the primary, empty). */
    void restartRedisReplica() throws IOException {
        int primary = redisPrimary();
        RedisNode replica = Arrays.stream(redis).filter(node -> node.port != primary).findFirst().orElseThrow();
        struckNanos = System.nanoTime();
        replica.cli("SHUTDOWN", "NOSAVE");
        ServerProcesses.awaitExit(replica.process);
        replica.start(primary);
    }

    /**
     * Waits until every sentinel names the same new primary (not the node lost to the fault) and that node
     * says it is a primary. Returns the time since the fault.
     */
    Duration awaitRedisFailover(Duration timeout) {
        await(timeout, () -> {
            Set<Integer> named = Arrays.stream(sentinels).map(Sentinel::primaryPort).collect(Collectors.toSet());
            if (named.size() != 1 || named.contains(null) || named.contains(lostRedis.port)) {
                return false;
            }
            return redisNode(named.iterator().next()).role().startsWith("master");
        }, "the Redis failover");
        return Duration.ofNanos(System.nanoTime() - struckNanos);
    }

    /**
     * Waits until the Redis topology is whole: every node answers, exactly one says it is the primary and
     * it is the one every sentinel names, the others are its connected replicas, and each sentinel sees
     * both replicas healthy and the two other sentinels. A second primary at the deadline fails the wait.
     * Returns the time since the fault.
     */
    Duration awaitRedisWhole(Duration timeout) {
        await(timeout, this::redisWhole, "the Redis topology whole again");
        return Duration.ofNanos(System.nanoTime() - struckNanos);
    }

    private boolean redisWhole() {
        Set<Integer> named = Arrays.stream(sentinels).map(Sentinel::primaryPort).collect(Collectors.toSet());
        if (named.size() != 1 || named.contains(null)) {
            return false;
        }
        int primary = named.iterator().next();
        for (RedisNode node : redis) {
            String[] role = node.role().split("\n");
            boolean ok = node.port == primary ? role[0].equals("master")
                    : role[0].equals("slave") && role.length > 3 && role[2].equals(Integer.toString(primary))
                    && role[3].equals("connected");
            if (!ok) {
                return false;
            }
        }
        if (!redisNode(primary).info("replication").contains("connected_slaves:" + (REDIS_NODES - 1))) {
            return false;
        }
        for (Sentinel sentinel : sentinels) {
            JsonNode master = sentinel.json("SENTINEL", "MASTER", MASTER_NAME);
            JsonNode replicas = sentinel.json("SENTINEL", "REPLICAS", MASTER_NAME);
            if (!"master".equals(master.path("flags").asText()) || master.path("num-other-sentinels").asInt() != SENTINELS - 1
                    || replicas.size() != REDIS_NODES - 1) {
                return false;
            }
            for (JsonNode replica : replicas) {
                if (!"slave".equals(replica.path("flags").asText()) || !"ok".equals(replica.path("master-link-status").asText())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Every node's role and every sentinel's primary, for a failure message. */
    String redisTopology() {
        Map<String, String> view = new LinkedHashMap<>();
        for (RedisNode node : redis) {
            boolean frozen = node == lostRedis && node.process.isAlive() && isStopped(node.process.pid());
            view.put(node.name + ":" + node.port, !node.process.isAlive() ? "down" : frozen ? "frozen"
                    : node.role().replace('\n', ' ').trim());
        }
        for (Sentinel sentinel : sentinels) {
            view.put(sentinel.name, "primary " + sentinel.primaryPort());
        }
        return view.toString();
    }

    private RedisNode redisNode(int port) {
        return Arrays.stream(redis).filter(node -> node.port == port).findFirst()
                .orElseThrow(() -> new IllegalStateException("no Redis node on port " + port));
    }

    private void startRedis() throws IOException {
        for (RedisNode node : redis) {
            node.start(node == redis[0] ? null : redis[0].port);
        }
        for (Sentinel sentinel : sentinels) {
            sentinel.start(redis[0].port);
        }
        struckNanos = System.nanoTime();
        awaitRedisWhole(Duration.ofSeconds(30));
    }

    /** A Redis data node: no persistence (a restart comes back empty), writes only with a replica in sync. */
    private final class RedisNode {
        final String name;
        final int port;
        final Path home;
        Process process;

        RedisNode(String name, int port) {
            this.name = name;
            this.port = port;
            this.home = dir.resolve("redis").resolve(name);
        }

        void start(Integer primaryPort) throws IOException {
            Files.createDirectories(home);
            List<String> config = new ArrayList<>(List.of(
                    "port " + port,
                    "bind 127.0.0.1",
                    "dir " + home,
                    "save \"\"",
                    "appendonly no",
                    "min-replicas-to-write 1",
                    "min-replicas-max-lag 10",
                    "replica-announce-ip 127.0.0.1",
                    // A replica that (re)joins is synced at once, not after the default 5 s wait for others.
                    "repl-diskless-sync-delay 0"));
            if (primaryPort != null) {
                config.add("replicaof 127.0.0.1 " + primaryPort);
            }
            Path file = home.resolve("redis.conf");
            Files.write(file, config);
            process = ServerProcesses.startRedis(file, port, dir.resolve("logs").resolve(name + ".log"));
            ServerProcesses.remember(dir, process);
        }

        String cli(String... args) {
            return ServerProcesses.redisCli(port, args);
        }

        /** ROLE's answer, one field a line; empty when the node does not answer. */
        String role() {
            return process != null && process.isAlive() ? cli("ROLE").trim() : "";
        }

        String info(String section) {
            return process != null && process.isAlive() ? cli("INFO", section) : "";
        }

        void stop() {
            if (process != null && process.isAlive()) {
                ServerProcesses.signal(process.pid(), "CONT");
                process.destroy();
                ServerProcesses.awaitExit(process);
            }
        }
    }

    /** A sentinel watching the primary named {@value #MASTER_NAME}. */
    private final class Sentinel {
        final String name;
        final int port;
        final Path home;
        Process process;

        Sentinel(String name, int port) {
            this.name = name;
            this.port = port;
            this.home = dir.resolve("redis").resolve(name);
        }

        void start(int primaryPort) throws IOException {
            Files.createDirectories(home);
            Path file = home.resolve("sentinel.conf");
            Files.write(file, List.of(
                    "port " + port,
                    "bind 127.0.0.1",
                    "dir " + home,
                    "sentinel announce-ip 127.0.0.1",
                    "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primaryPort + " " + QUORUM,
                    "sentinel down-after-milliseconds " + MASTER_NAME + " " + REDIS_DOWN_AFTER.toMillis(),
                    "sentinel failover-timeout " + MASTER_NAME + " " + REDIS_FAILOVER_TIMEOUT.toMillis(),
                    "sentinel parallel-syncs " + MASTER_NAME + " 1"));
            process = ServerProcesses.startRedis(file, port, dir.resolve("logs").resolve(name + ".log"), "--sentinel");
            ServerProcesses.remember(dir, process);
            // INFO every second instead of every 10 s: a primary that comes back after a failover is turned
            // into a replica within seconds (it stays a replica that refuses writes meanwhile either way).
            ServerProcesses.redisCli(port, "SENTINEL", "DEBUG", "INFO-PERIOD", "1000");
        }

        /** The primary's port this sentinel names; null when it does not answer. */
        Integer primaryPort() {
            String[] answer = ServerProcesses.redisCli(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME).trim()
                    .split("\n");
            return answer.length == 2 && answer[1].matches("\\d+") ? Integer.valueOf(answer[1]) : null;
        }

        JsonNode json(String... command) {
            List<String> args = new ArrayList<>(List.of("--json"));
            args.addAll(List.of(command));
            String answer = ServerProcesses.redisCli(port, args.toArray(String[]::new));
            try {
                return JSON.readTree(answer);
            } catch (IOException e) {
                return JSON.missingNode();
            }
        }

        void stop() {
            if (process != null && process.isAlive()) {
                process.destroy();
                ServerProcesses.awaitExit(process);
            }
        }
    }

    // ------------------------------------------------------------------ PostgreSQL

    /** Every node, the primary chosen by the driver: {@code targetServerType=primary}. */
    String jdbcUrl(String database) {
        return "jdbc:postgresql://" + Arrays.stream(postgres).map(node -> "127.0.0.1:" + node.port)
                .collect(Collectors.joining(",")) + "/" + database + "?targetServerType=primary";
    }

    /** Creates the database on the primary, empty (the servers are new each run). */
    void createDatabase(String database) throws SQLException {
        try (Connection db = connect(jdbcUrl("postgres"))) {
            db.createStatement().execute("create database " + database);
        }
    }

    /** SIGKILL to the PostgreSQL primary's whole process group: keeper and PostgreSQL, as in a crash of its machine. */
    void killPostgresPrimary() throws SQLException {
        lostPostgres = postgresNode(postgresPrimary());
        struckNanos = System.nanoTime();
        ServerProcesses.signalGroup(lostPostgres.process.pid(), "KILL");
        ServerProcesses.awaitExit(lostPostgres.process);
    }

    /**
     * Waits until the standby was promoted: the monitor has it in a state that takes writes and a
     * connection to it through {@link #jdbcUrl} can write. Returns the time since the fault.
     */
    Duration awaitPostgresFailover(Duration timeout) {
        PostgresServer survivor = Arrays.stream(postgres).filter(node -> node != lostPostgres).findFirst().orElseThrow();
        await(timeout, () -> {
            Map<String, String[]> states = postgresStates();
            String[] state = states.get(survivor.name);
            if (state == null || !WRITABLE_STATES.contains(state[0]) || !state[0].equals(state[1])) {
                return false;
            }
            try (Connection db = connect(jdbcUrl("postgres"));
                 ResultSet row = db.createStatement().executeQuery("select current_setting('port'), "
                         + "current_setting('transaction_read_only')")) {
                return row.next() && row.getInt(1) == survivor.port && "off".equals(row.getString(2));
            } catch (SQLException e) {
                return false;
            }
        }, "the PostgreSQL failover");
        return Duration.ofNanos(System.nanoTime() - struckNanos);
    }

    /** Starts the killed node again: it rejoins as the new primary's standby (pg_rewind, then streaming). */
    void rejoinPostgres() throws IOException {
        lostPostgres.run();
    }

    /** Stops the standby cleanly and starts it again. */
    void restartPostgresStandby() throws IOException, SQLException {
        int primary = postgresPrimary();
        PostgresServer standby = Arrays.stream(postgres).filter(node -> node.port != primary).findFirst().orElseThrow();
        struckNanos = System.nanoTime();
        standby.stop();
        standby.run();
    }

    /**
     * Waits until the PostgreSQL topology is whole: the monitor has one node primary and the other
     * secondary, both reported, and the primary has synchronous replication on, its standby streaming to
     * it since the latest fault. Returns the time since the fault.
     */
    Duration awaitPostgresWhole(Duration timeout) {
        await(timeout, this::postgresWhole, "the PostgreSQL topology whole again");
        return Duration.ofNanos(System.nanoTime() - struckNanos);
    }

    private boolean postgresWhole() {
        Map<String, String[]> states = postgresStates();
        List<String> seen = states.values().stream().map(state -> state[0] + "/" + state[1]).sorted().toList();
        if (!seen.equals(List.of("primary/primary", "secondary/secondary"))) {
            return false;
        }
        try (Connection db = connect(jdbcUrl("postgres"));
             PreparedStatement query = db.prepareStatement("""
                     select current_setting('synchronous_standby_names'),
                            (select count(*) from pg_stat_replication where state = 'streaming'
                             and sync_state in ('sync', 'quorum') and backend_start > ?)""")) {
            query.setTimestamp(1, Timestamp.from(Instant.now().minusNanos(System.nanoTime() - struckNanos)));
            try (ResultSet row = query.executeQuery()) {
                return row.next() && !row.getString(1).isBlank() && row.getInt(2) == 1;
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /** The PostgreSQL primary's port, as the monitor has it. */
    int postgresPrimary() throws SQLException {
        for (Map.Entry<String, String[]> node : postgresStates().entrySet()) {
            if (WRITABLE_STATES.contains(node.getValue()[0]) && node.getValue()[0].equals(node.getValue()[1])) {
                return postgresNodeNamed(node.getKey()).port;
            }
        }
        throw new SQLException("no PostgreSQL primary: " + postgresTopology());
    }

    /** Each node's reported and goal state, as the monitor has them, for a failure message. */
    String postgresTopology() {
        return postgresStates().entrySet().stream().map(e -> e.getKey() + "=" + String.join("/", e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    /** Node name to {reported state, goal state}, from the monitor; empty when it does not answer. */
    private Map<String, String[]> postgresStates() {
        Map<String, String[]> states = new LinkedHashMap<>();
        try (Connection db = connect("jdbc:postgresql://127.0.0.1:" + monitor.port + "/pg_auto_failover");
             ResultSet row = db.createStatement().executeQuery(
                     "select nodename, reportedstate, goalstate from pgautofailover.node order by nodeid")) {
            while (row.next()) {
                states.put(row.getString(1), new String[]{row.getString(2), row.getString(3)});
            }
        } catch (SQLException e) {
            states.clear();
        }
        return states;
    }

    private PostgresServer postgresNode(int port) {
        return Arrays.stream(postgres).filter(node -> node.port == port).findFirst().orElseThrow();
    }

    private PostgresServer postgresNodeNamed(String name) {
        return Arrays.stream(postgres).filter(node -> node.name.equals(name)).findFirst().orElseThrow();
    }

    private void startPostgres() throws IOException, SQLException {
        ServerProcesses.postgresFolder(dir.resolve("postgres"));
        for (String xdg : List.of("config", "share", "run")) {
            ServerProcesses.postgresFolder(dir.resolve("postgres/xdg").resolve(xdg));
        }
        sockets = ServerProcesses.postgresFolder(Files.createTempDirectory("playback-pg-"));
        List<String> settings = List.of(
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = '" + sockets + "'",
                "shared_buffers = '128MB'",
                "max_connections = 300",
                // Killing processes loses nothing the kernel has: durability against a crash of the machine is not tested.
                "fsync = off");
        List<String> monitorSettings = new ArrayList<>(settings);
        monitorSettings.addAll(MONITOR_TIMING);
        ServerProcesses.initPostgres(pgBin, monitor.pgData, monitorSettings);
        monitor.create(List.of("pg_autoctl", "create", "monitor", "--pgdata", monitor.pgData.toString(), "--pgport",
                Integer.toString(monitor.port), "--listen", "127.0.0.1", "--hostname", "127.0.0.1", "--pgctl",
                pgBin.resolve("pg_ctl").toString(), "--auth", "trust", "--no-ssl", "--run"));
        await(START_TIMEOUT, () -> {
            try (Connection db = connect("jdbc:postgresql://127.0.0.1:" + monitor.port + "/pg_auto_failover");
                 ResultSet row = db.createStatement().executeQuery("select count(*) from pgautofailover.formation")) {
                return row.next();
            } catch (SQLException e) {
                return false;
            }
        }, "the pg_auto_failover monitor");
        // The first node is initialised here (with the settings above; the standby copies them) and
        // becomes the primary; the second is cloned from it by pg_autoctl.
        ServerProcesses.initPostgres(pgBin, postgres[0].pgData, settings);
        postgres[0].createNode();
        await(START_TIMEOUT, () -> {
            String[] state = postgresStates().get(postgres[0].name);
            return state != null && state[0].equals("single");
        }, "the first PostgreSQL node");
        postgres[1].createNode();
        struckNanos = System.nanoTime();
        awaitPostgresWhole(START_TIMEOUT);
        for (PostgresServer node : postgres) {
            node.autoctl(List.of("config", "set", "--pgdata", node.pgData.toString(), "timeout.network_partition_timeout",
                    Integer.toString(KEEPER_NETWORK_PARTITION_SECONDS)));
        }
    }

    private static Connection connect(String url) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("connectTimeout", "2");
        properties.setProperty("socketTimeout", "5");
        return DriverManager.getConnection(url, properties);
    }

    /** A pg_autoctl service (the monitor or a node) in the foreground, in a process group of its own. */
    private final class PostgresServer {
        final String name;
        final int port;
        final Path pgData;
        final Path log;
        Process process;

        PostgresServer(String name, int port) {
            this.name = name;
            this.port = port;
            this.pgData = dir.resolve("postgres").resolve(name);
            this.log = dir.resolve("logs").resolve("postgres-" + name + ".log");
        }

        void createNode() throws IOException {
            create(List.of("pg_autoctl", "create", "postgres", "--pgdata", pgData.toString(), "--pgport",
                    Integer.toString(port), "--pghost", sockets.toString(), "--listen", "127.0.0.1", "--hostname", "127.0.0.1",
                    "--name", name, "--pgctl", pgBin.resolve("pg_ctl").toString(), "--monitor",
                    "postgres://autoctl_node@127.0.0.1:" + monitor.port + "/pg_auto_failover?sslmode=disable",
                    "--auth", "trust", "--no-ssl", "--run"));
        }

        void create(List<String> command) throws IOException {
            List<String> group = new ArrayList<>(List.of("setsid"));
            group.addAll(ServerProcesses.asPostgresUser(environment(command)));
            process = new ProcessBuilder(group).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            ServerProcesses.remember(dir, process);
        }

        /** Starts the node's service again, on its existing data. */
        void run() throws IOException {
            create(List.of("pg_autoctl", "run", "--pgdata", pgData.toString()));
        }

        /** pg_autoctl stop (PostgreSQL's fast shutdown), then its process group killed if anything is left. */
        void stop() {
            if (process == null || !process.isAlive()) {
                return;
            }
            autoctl(List.of("stop", "--pgdata", pgData.toString()));
            ServerProcesses.awaitExit(process);
            ServerProcesses.signalGroup(process.pid(), "KILL");
        }

        String autoctl(List<String> args) {
            List<String> command = new ArrayList<>(List.of("pg_autoctl"));
            command.addAll(args);
            return ServerProcesses.run(ServerProcesses.asPostgresUser(environment(command)), Duration.ofSeconds(30));
        }

        /** pg_autoctl keeps its configuration and state under the XDG folders: ours, inside {@code dir}. */
        private List<String> environment(List<String> command) {
            Path xdg = dir.resolve("postgres/xdg");
            List<String> env = new ArrayList<>(List.of("env", "XDG_CONFIG_HOME=" + xdg.resolve("config"),
                    "XDG_DATA_HOME=" + xdg.resolve("share"), "XDG_RUNTIME_DIR=" + xdg.resolve("run"), "PGHOST=" + sockets));
            env.addAll(command);
            return env;
        }
    }

    // ------------------------------------------------------------------ both

    /** Stops everything: the sentinels first (no failover while the rest stops), then Redis, then PostgreSQL. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Sentinel sentinel : sentinels) {
            sentinel.stop();
        }
        for (RedisNode node : redis) {
            node.stop();
        }
        for (PostgresServer node : postgres) {
            node.stop();
        }
        monitor.stop();
        if (sockets != null) {
            try {
                Files.deleteIfExists(sockets);
            } catch (IOException e) {
                System.err.println("while stopping: " + sockets + " not removed: " + e.getMessage());
            }
        }
    }

    private static boolean isStopped(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
        } catch (IOException gone) {
            return false;
        }
    }

    /** Polls the condition until it holds; at the deadline fails with what it waited for and the topology. */
    private void await(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not within " + timeout.toSeconds() + " s; Redis "
                        + redisTopology() + ", PostgreSQL " + postgresTopology() + "; logs in " + dir.resolve("logs"));
            }
            ServerProcesses.pause(Duration.ofMillis(200));
        }
    }
}
