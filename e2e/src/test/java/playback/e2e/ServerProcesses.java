package playback.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the end-to-end checks' own servers have in common ({@link OwnedServers}, {@link ReplicatedServers}):
 * the machine's PostgreSQL and Redis binaries run as child processes on free ports, PostgreSQL's as the
 * {@code postgres} OS user when the tests run as root (PostgreSQL refuses to run as root), their data in
 * one folder that a new run wipes, together with any server an earlier run left running there.
 */
final class ServerProcesses {

    static final String POSTGRES_OS_USER = "postgres";
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** The process ids a run started, one a line: what the next run stops before it wipes the folder. */
    private static final String PIDS = "server-pids";

    private ServerProcesses() {
    }

    /**
     * Stops the servers an earlier run left in {@code dir} (those whose command line still names it), then
     * deletes and recreates the folder.
     */
    static void wipe(Path dir) throws IOException {
        Path pids = dir.resolve(PIDS);
        if (Files.exists(pids)) {
            for (String line : Files.readAllLines(pids)) {
                long pid = Long.parseLong(line.trim());
                if (commandLine(pid).contains(dir.toString())) {
                    signalGroupOrProcess(pid, "KILL");
                }
            }
        }
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        Files.createDirectories(dir);
    }

    /** Notes a started server's process id in {@code dir}, for {@link #wipe} after a run that could not stop it. */
    static void remember(Path dir, Process process) throws IOException {
        Files.writeString(dir.resolve(PIDS), process.pid() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** A folder the PostgreSQL commands can write: owned by the {@code postgres} OS user when we are root. */
    static Path postgresFolder(Path path) throws IOException {
        Files.createDirectories(path);
        if (runningAsRoot()) {
            UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(path, users.lookupPrincipalByName(POSTGRES_OS_USER));
        }
        return path;
    }

    /** The command as the {@code postgres} OS user when we are root, else as it is. */
    static List<String> asPostgresUser(List<String> command) {
        if (!runningAsRoot()) {
            return command;
        }
        List<String> asUser = new ArrayList<>(List.of("runuser", "-u", POSTGRES_OS_USER, "--"));
        asUser.addAll(command);
        return asUser;
    }

    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest installed server binaries (Debian's /usr/lib/postgresql/N/bin), else pg_config's. */
    static Path postgresBinaries() throws IOException {
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

    /**
     * A new PostgreSQL cluster in {@code pgData} (as the {@code postgres} OS user), its own settings in
     * {@code postgresql.auto.conf}, which is read after every other configuration file.
     */
    static void initPostgres(Path pgBin, Path pgData, List<String> settings) throws IOException {
        String output = run(asPostgresUser(List.of(pgBin.resolve("initdb").toString(), "-D", pgData.toString(),
                "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")), Duration.ofSeconds(60));
        if (!Files.exists(pgData.resolve("PG_VERSION"))) {
            throw new IOException("initdb failed: " + output);
        }
        Files.writeString(pgData.resolve("postgresql.auto.conf"), String.join("\n", settings) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /**
     * Starts {@code redis-server} with the configuration file given and any further arguments (e.g.
     * {@code --sentinel}), output appended to the log, and waits until it answers PING.
     */
    static Process startRedis(Path config, int port, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("redis-server", config.toString()));
        command.addAll(List.of(args));
        Process redis = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!"PONG".equals(redisCli(port, "PING").trim())) {
            if (!redis.isAlive() || System.nanoTime() > deadline) {
                redis.destroyForcibly();
                throw new IOException("Redis did not start on port " + port + "; see " + log);
            }
            pause(Duration.ofMillis(100));
        }
        return redis;
    }

    /** redis-cli against the server on the port; returns its output (an error's text too), nothing after 10 s. */
    static String redisCli(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        return run(command, Duration.ofSeconds(10));
    }

    /** Sends the signal (e.g. {@code STOP}, {@code KILL}) to one process. */
    static void signal(long pid, String signal) {
        run(List.of("kill", "-" + signal, Long.toString(pid)), Duration.ofSeconds(10));
    }

    /** Sends the signal to the process group the process leads: the process and every child it started. */
    static void signalGroup(long leader, String signal) {
        run(List.of("kill", "-" + signal, "--", "-" + leader), Duration.ofSeconds(10));
    }

    private static void signalGroupOrProcess(long pid, String signal) {
        signalGroup(pid, signal);
        signal(pid, signal);
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }

    /**
     * Runs the command to its end and returns its output, standard error included; one still running after
     * the timeout (a server that does not answer) is killed, and what it wrote until then is returned.
     */
    static String run(List<String> command, Duration timeout) {
        Path output = null;
        try {
            output = Files.createTempFile("server-command", ".out");
            Process process = new ProcessBuilder(command).directory(Path.of("/").toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temporary file of a few bytes
                }
            }
        }
    }

    /** Waits up to 15 s for the process to exit, then kills it. */
    static void awaitExit(Process process) {
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
