package playback.proof;

import playback.devstack.ResultTable;
import playback.proof.Scenario.Result;
import playback.proof.Scenario.Topology;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import static playback.proof.Checks.await;
import static playback.proof.Checks.secondsSince;

/**
 * The container deployment's guarantees, proven against docker-compose.yml run by a real container
 * engine: one fetch per recording, per-business slots, no job lost when workers come and go as
 * containers (killed, stopped, scaled) or the whole deployment goes down and up again; and, with the
 * replicated backing services of deploy/compose.ha.yml, Plays that survive the loss of the Redis or the
 * PostgreSQL primary. Started by deploy/prove.sh once the images are built (its environment:
 * {@link Settings}); it brings each deployment up itself (first docker-compose.yml with the demo and
 * monitoring profiles, then, in its place, the replicated one with the demo profile), drives everything
 * through the ports published on 127.0.0.1 (the api's, the simulator's control endpoints, Prometheus's
 * query API) and the compose CLI, and prints one table. Recordings are kept in the deployment's object
 * store (the objectstore service, S3): scenario 1 looks for the object in its bucket. A scenario's number
 * is its place in {@link #scenarios}; 3 to 6 need 2's businesses, 5 needs 1's recording.
 */
public final class ComposeProof {

    private final Settings settings;
    private final Deployment deployment;
    private final Playback playback;
    private final Deployment replicated;
    private final Playback replicatedPlayback;
    private final RunState state = new RunState();
    private final ResultTable table = new ResultTable();
    /** When the switch to the replicated deployment began (System.nanoTime()), 0 before. */
    private long replicatedFrom;

    private ComposeProof(Settings settings, Deployment deployment, Playback playback, Deployment replicated,
                         Playback replicatedPlayback) {
        this.settings = settings;
        this.deployment = deployment;
        this.playback = playback;
        this.replicated = replicated;
        this.replicatedPlayback = replicatedPlayback;
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.from(System.getenv());
        Files.createDirectories(settings.logDir());
        Deployment deployment = Deployment.single(settings);
        Deployment replicated = Deployment.replicated(settings);
        boolean passed;
        try (Playback playback = new Playback(settings, deployment);
             Playback replicatedPlayback = new Playback(settings, replicated)) {
            passed = new ComposeProof(settings, deployment, playback, replicated, replicatedPlayback).runAll();
        }
        System.exit(passed ? 0 : 1);
    }

    /** The scenarios, in the order they run: each may use what an earlier one left. */
    private List<Scenario> scenarios() {
        RecordingScenarios recordings = new RecordingScenarios(deployment, playback, state);
        WorkerScenarios workers = new WorkerScenarios(settings, deployment, playback, state);
        LifecycleScenarios lifecycle = new LifecycleScenarios(settings, deployment, playback, state);
        MonitoringScenario monitoring = new MonitoringScenario(settings, deployment, playback,
                new Prometheus(settings, playback));
        FailoverScenarios failover = new FailoverScenarios(replicated, replicatedPlayback,
                new ReplicatedServers(replicated));
        return List.of(
                new Scenario("cold recording end to end", recordings::coldPlay),
                new Scenario("backlog, 1 worker vs 3", workers::scaleRatio),
                new Scenario("kill -9 a worker mid-download", workers::killWorker),
                new Scenario("docker stop (SIGTERM) a worker mid-download", workers::stopWorker),
                new Scenario("down (volumes kept) and up again", lifecycle::downAndUp),
                new Scenario("scale workers 3 -> 1 -> 3 while a backlog drains", lifecycle::scaleDownAndUp),
                new Scenario("Prometheus finds the api and all 3 workers by DNS", monitoring::run),
                new Scenario("a recording plays while it downloads, relayed from its worker's container",
                        recordings::liveWhileDownloading),
                new Scenario("replicated: kill -9 the Redis primary during Plays", Topology.REPLICATED,
                        failover::redisPrimaryKilled),
                new Scenario("replicated: kill -9 the PostgreSQL primary during Plays", Topology.REPLICATED,
                        failover::postgresPrimaryKilled));
    }

    /** Runs the selected scenarios; true when every one ran and passed. */
    private boolean runAll() {
        List<Scenario> scenarios = scenarios();
        // A number that names no scenario counts as one that did not pass.
        int expected = settings.selected().isEmpty() ? scenarios.size() : settings.selected().size();
        Topology up = null;
        for (int i = 0; i < scenarios.size(); i++) {
            Scenario scenario = scenarios.get(i);
            if (!settings.runs(i + 1)) {
                continue;
            }
            if (scenario.topology() != up) {
                if (scenario.topology() == Topology.REPLICATED) {
                    replicatedFrom = System.nanoTime();
                }
                try {
                    if (up != null) {
                        takeDown(up);
                    }
                    up = scenario.topology();
                    start(up);
                } catch (Exception e) {
                    table.add(startTitle(scenario.topology()), false, e.getMessage());
                    return report(expected);
                }
            }
            run((i + 1) + ". " + scenario.title(), scenario.body());
        }
        if (replicatedFrom != 0) {
            state.figures.put("replicated part", String.format("%.0f s (the single deployment down if it was up, "
                    + "the replicated one up, its scenarios)", secondsSince(replicatedFrom)));
        }
        return report(expected);
    }

    private static String startTitle(Topology topology) {
        return topology == Topology.SINGLE ? "0. the demo and monitoring profiles come up"
                : "0. the replicated deployment (deploy/compose.ha.yml) comes up";
    }

    private void start(Topology topology) throws Exception {
        if (topology == Topology.SINGLE) {
            start();
        } else {
            startReplicated();
        }
    }

    /**
     * The deployment down, its volumes removed (its services' logs kept in the log directory): the next one
     * starts from nothing, on the same machine.
     */
    private void takeDown(Topology topology) throws Exception {
        Deployment down = topology == Topology.SINGLE ? deployment : replicated;
        String name = topology.name().toLowerCase();
        down.saveLogs(settings.logDir().resolve("services-" + name + ".log"));
        long started = System.nanoTime();
        down.compose(Duration.ofMinutes(3), "down", "-v", "-t", "10");
        state.figures.put(name + " deployment down", String.format(
                "%.1f s (containers and volumes removed)", secondsSince(started)));
    }

    private void run(String title, Scenario.Body body) {
        long started = System.nanoTime();
        System.out.printf("%n--- %s%n", title);
        Result result;
        try {
            result = body.run();
        } catch (Exception | AssertionError e) {
            result = new Result(false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        System.out.printf("%s (%.0f s): %s%n", result.passed() ? "PASS" : "FAIL", secondsSince(started), result.figures());
        table.add(title, result.passed(), result.figures());
    }

    /** Prints the deployment's timings and the table, also to table.txt; true when all expected passed. */
    private boolean report(int expected) {
        StringBuilder out = new StringBuilder("\n");
        state.figures.forEach((what, figure) -> out.append(String.format("%-28s %s%n", what + ":", figure)));
        out.append(table.render());
        System.out.print(out);
        try {
            Files.writeString(settings.logDir().resolve("table.txt"), out.toString());
        } catch (IOException e) {
            System.err.println("could not write the table: " + e.getMessage());
        }
        return table.passed() == table.size() && table.size() == expected;
    }

    /** The demo and monitoring profiles up with 1 worker, the demo's data loaded. */
    private void start() throws Exception {
        System.out.println("--- bringing the demo and monitoring profiles up (1 worker)");
        long started = System.nanoTime();
        deployment.compose(Duration.ofMinutes(5), "up", "-d", "--scale", "worker=1");
        deployment.awaitHealthy("api", 1, Deployment.HEALTHY_WITHIN);
        double apiSeconds = secondsSince(started);
        deployment.awaitHealthy("worker", 1, Deployment.HEALTHY_WITHIN);
        boolean loaded = await(Deployment.HEALTHY_WITHIN, () -> {
            List<String> ids = deployment.containers("demo-data", true);
            return !ids.isEmpty() && deployment.inspect(ids.get(0), "{{.State.Status}} {{.State.ExitCode}}").equals("exited 0");
        });
        if (!loaded) {
            throw new IllegalStateException("the demo data was not loaded (see " + settings.logDir() + ")");
        }
        state.figures.put("stack up, first start", String.format("%.1f s to the api healthy (postgres, redis and "
                + "objectstore healthy, schema migrated), %.1f s to the demo loaded", apiSeconds, secondsSince(started)));
        deployment.awaitHealthy("prometheus", 1, Deployment.HEALTHY_WITHIN);
        state.figures.put("quarkus start (in-process)", "api " + deployment.startedIn("api") + ", worker "
                + deployment.startedIn("worker"));
    }

    /**
     * deploy/compose.ha.yml over docker-compose.yml with the demo profile and 1 worker, the demo's data
     * loaded; Redis a primary with its replica and 3 sentinels, PostgreSQL a primary with its standby.
     */
    private void startReplicated() throws Exception {
        System.out.println("--- bringing the replicated deployment up (deploy/compose.ha.yml, demo profile, 1 worker)");
        long started = System.nanoTime();
        replicated.compose(Duration.ofMinutes(5), "up", "-d", "--scale", "worker=1");
        replicated.awaitHealthy("api", 1, Deployment.HEALTHY_WITHIN);
        double apiSeconds = secondsSince(started);
        replicated.awaitHealthy("worker", 1, Deployment.HEALTHY_WITHIN);
        boolean loaded = await(Deployment.HEALTHY_WITHIN, () -> {
            List<String> ids = replicated.containers("demo-data", true);
            return !ids.isEmpty() && replicated.inspect(ids.get(0), "{{.State.Status}} {{.State.ExitCode}}").equals("exited 0");
        });
        if (!loaded) {
            throw new IllegalStateException("the demo data was not loaded (see " + settings.logDir() + ")");
        }
        ReplicatedServers servers = new ReplicatedServers(replicated);
        boolean replicating = await(Deployment.HEALTHY_WITHIN, () -> servers.redisReplicated() && servers.postgresReplicated());
        if (!replicating) {
            throw new IllegalStateException("not replicated: PostgreSQL " + servers.postgresStates() + ", Redis "
                    + servers.redisMaster("sentinel-1"));
        }
        state.figures.put("replicated stack up", String.format("%.1f s to the api healthy (monitor, 2 PostgreSQL "
                + "nodes, 2 Redis servers and 3 sentinels healthy, schema migrated), %.1f s to the demo loaded and "
                + "both replicated", apiSeconds, secondsSince(started)));
    }
}
