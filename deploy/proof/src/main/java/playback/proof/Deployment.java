package playback.proof;

import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static playback.proof.Checks.await;
import static playback.proof.Checks.check;
import static playback.proof.Checks.shortId;

/**
 * A deployment of the compose files, driven through the compose CLI and the engine's: containers by their
 * compose labels, SQL through psql in a container of the deployment. {@link #single}: docker-compose.yml
 * with the demo and monitoring profiles (SQL through the postgres container, Redis through its);
 * {@link #replicated}: with deploy/compose.ha.yml and the demo profile (SQL on whichever node is the
 * primary, through the pg_auto_failover monitor's container). Both are one compose project: one is up at a
 * time. Every command and its output go to commands.log in the log directory.
 */
final class Deployment {

    /**
     * Generous: a service is healthy in seconds, but podman 4.3's DNS (aardvark) has been seen to leave a
     * container just started beside others without name resolution for a minute; the services retry
     * until it answers.
     */
    static final Duration HEALTHY_WITHIN = Duration.ofSeconds(180);

    /** The replicated deployment's overlay, from the repository's root (where deploy/prove.sh runs). */
    static final String REPLICATED_OVERLAY = "deploy/compose.ha.yml";

    private final List<String> compose;
    private final List<String> psql;
    private final String engine;
    private final String project;
    private final Path logDir;

    private Deployment(Settings settings, List<String> options, List<String> psql) {
        List<String> command = new ArrayList<>(settings.compose());
        command.addAll(options);
        this.compose = List.copyOf(command);
        this.psql = List.copyOf(psql);
        this.engine = settings.engine();
        this.project = settings.project();
        this.logDir = settings.logDir();
    }

    static Deployment single(Settings settings) {
        return new Deployment(settings, List.of("--profile", "demo", "--profile", "monitoring"),
                List.of("exec", "-T", "postgres", "psql", "-U", "playback", "-d", "playback"));
    }

    static Deployment replicated(Settings settings) {
        return new Deployment(settings, List.of("-f", "docker-compose.yml", "-f", REPLICATED_OVERLAY, "--profile", "demo"),
                List.of("exec", "-T", "pg-monitor", "psql",
                        "postgresql://playback@pg-node-1,pg-node-2/playback?target_session_attrs=read-write"));
    }

    String compose(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of(args));
        return run(command, timeout);
    }

    String engine(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(engine));
        command.addAll(List.of(args));
        return run(command, timeout);
    }

    private String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile(logDir, "command", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            String text = Files.readString(output);
            Files.writeString(logDir.resolve("commands.log"), "$ " + String.join(" ", command) + "\n" + text + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (!exited || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + (exited ? " exited " + process.exitValue() : " timed out")
                        + ": " + text.strip().lines().reduce((a, b) -> b).orElse(""));
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Every service's log so far, into the file (not into commands.log). */
    void saveLogs(Path file) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of("logs", "--no-color"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(file.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
    }

    /** The service's containers (ids), running ones only unless all. */
    List<String> containers(String service, boolean all) {
        try {
            List<String> args = new ArrayList<>(List.of("ps", "-q", "--filter", "label=com.docker.compose.project=" + project,
                    "--filter", "label=com.docker.compose.service=" + service));
            if (all) {
                args.add("-a");
            }
            return engine(Duration.ofSeconds(30), args.toArray(String[]::new)).lines().map(String::strip)
                    .filter(line -> !line.isEmpty()).toList();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    String inspect(String container, String format) {
        try {
            return engine(Duration.ofSeconds(30), "inspect", "--format", format, container).strip();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    void awaitHealthy(String service, int count, Duration timeout) {
        boolean healthy = await(timeout, () -> {
            List<String> ids = containers(service, false);
            return ids.size() == count && ids.stream().allMatch(id -> inspect(id,
                    "{{if .State.Health}}{{.State.Health.Status}}{{end}}").equals("healthy"));
        });
        check(healthy, count + " healthy " + service + " container(s) expected within " + timeout.toSeconds() + " s");
    }

    /**
     * Sets the number of workers and waits until that many are healthy. More workers are added one at a
     * time: podman 4.3 can deadlock when it creates and starts containers that mount the same named
     * volumes at once (Docker does not), and each step only creates or starts one container.
     */
    void scale(int workers) throws IOException, InterruptedException {
        int running = containers("worker", false).size();
        if (workers < running) {
            compose(Duration.ofMinutes(3), "up", "-d", "--no-deps", "--scale", "worker=" + workers, "worker");
        }
        for (int count = running + 1; count <= workers; count++) {
            compose(Duration.ofMinutes(3), "up", "-d", "--no-deps", "--scale", "worker=" + count, "worker");
        }
        awaitHealthy("worker", workers, HEALTHY_WITHIN);
    }

    /** The container of a worker named in recording_runs.worker (pid@hostname-suffix). */
    String containerOf(String worker) {
        String host = worker.substring(worker.indexOf('@') + 1, worker.lastIndexOf('-'));
        for (String id : containers("worker", false)) {
            if (inspect(id, "{{.Config.Hostname}}").equals(host)) {
                return id;
            }
        }
        throw new IllegalStateException("no running worker container has host name " + host);
    }

    /** The addresses of a service's running containers on the compose network. */
    Set<String> addresses(String service) {
        return containers(service, false).stream().map(this::addressOf).collect(Collectors.toCollection(TreeSet::new));
    }

    String addressOf(String container) {
        return inspect(container, "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
    }

    /** The "started in" figure Quarkus logs, from the first container of the service. */
    String startedIn(String service) {
        try {
            Matcher m = Pattern.compile("started in ([0-9.]+)s").matcher(compose(Duration.ofSeconds(30), "logs", "--no-color", service));
            return m.find() ? m.group(1) + " s" : "?";
        } catch (Exception e) {
            return "?";
        }
    }

    String sql(String query) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(psql);
        args.addAll(List.of("-v", "ON_ERROR_STOP=1", "-qAtc", query));
        return compose(Duration.ofSeconds(60), args.toArray(String[]::new)).strip();
    }

    /** The slots of the business taken in Redis. */
    long slotsTaken(Business business) {
        try {
            return Long.parseLong(compose(Duration.ofSeconds(30), "exec", "-T", "redis", "redis-cli", "ZCARD",
                    "slots:" + business.id()).strip());
        } catch (IOException | InterruptedException | NumberFormatException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * The call's objects in the bucket, as "size key", read from the objectstore container: its blob store
     * keeps a bucket as a directory, an object as a file named by its key (business/callSid.ext).
     */
    List<String> storedObjects(Call call) throws IOException, InterruptedException {
        String listing = compose(Duration.ofSeconds(30), "exec", "-T", "objectstore", "sh", "-c",
                "cd \"$JCLOUDS_FILESYSTEM_BASEDIR/$BUCKET\" && find . -type f -name \"$0.*\" -printf '%s %P\\n'",
                call.callSid());
        return listing.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    /** Mounts of the api's and the workers' containers that hold recordings: none, with the object store. */
    List<String> recordingsMounts() {
        List<String> mounts = new ArrayList<>();
        for (String service : List.of("api", "worker")) {
            for (String id : containers(service, false)) {
                for (String mount : inspect(id, "{{range .Mounts}}{{.Destination}} {{end}}").split(" +")) {
                    if (mount.contains("recordings")) {
                        mounts.add(service + " " + shortId(id) + ":" + mount);
                    }
                }
            }
        }
        return mounts;
    }
}
