package playback.proof;

import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.proof.Scenario.Result;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static playback.proof.Checks.check;
import static playback.proof.Checks.pause;
import static playback.proof.Checks.secondsSince;
import static playback.proof.Checks.shortId;
import static playback.proof.Playback.fetchesOf;
import static playback.proof.Playback.map;
import static playback.proof.Playback.number;
import static playback.proof.Playback.quoted;
import static playback.proof.Playback.recordingOf;

/** Workers as containers: scaled for throughput (2), killed (3), stopped (4) mid-download. */
final class WorkerScenarios {

    private final Settings settings;
    private final Deployment deployment;
    private final Playback playback;
    private final RunState state;

    WorkerScenarios(Settings settings, Deployment deployment, Playback playback, RunState state) {
        this.settings = settings;
        this.deployment = deployment;
        this.playback = playback;
        this.state = state;
    }

    /**
     * 2. 10 businesses x 12 recordings, 3 slots per business, the provider answering after 1 s: drained by
     * 1 worker, then by 3; every recording fetched once, never more than the slots in flight per account.
     * Throughput of warm workers: each drain follows a warm-up of 20 recordings. A new worker's first jobs
     * (its first uploads: the S3 client's code loaded and compiled) take CPU that, on a small machine,
     * would otherwise count against the drain of the two workers just started (2.3x instead of 2.6x).
     */
    Result scaleRatio() throws Exception {
        state.backlog = playback.businesses("Backlog", 10);
        deployment.scale(1);
        Drain warmOne = drain(playback.calls(state.backlog, 2, Playback.FAST));
        Drain one = drain(playback.calls(state.backlog, 12, Playback.FAST));
        long scaling = System.nanoTime();
        deployment.scale(3);
        state.figures.put("workers 1 -> 3", String.format("%.1f s from --scale worker=3 to both new workers healthy",
                secondsSince(scaling)));
        Drain warmThree = drain(playback.calls(state.backlog, 2, Playback.FAST));
        Drain three = drain(playback.calls(state.backlog, 12, Playback.FAST));
        double ratio = one.seconds() / three.seconds();
        boolean passed = warmOne.ok() && one.ok() && warmThree.ok() && three.ok() && ratio >= 2.4;
        state.figures.put("scale ratio", String.format("%.2fx (1 worker %.1f s, 3 workers %.1f s; warm-ups of 20: %.1f s, "
                + "%.1f s)", ratio, one.seconds(), three.seconds(), warmOne.seconds(), warmThree.seconds()));
        return new Result(passed, String.format("120 recordings (10 businesses x 12, %d slots each, provider 1 s, "
                        + "%s downloads per worker), each drain after a warm-up of 20: 1 worker %.1f s (warm-up "
                        + "%.1f s), 3 workers %.1f s (warm-up %.1f s), ratio %.2fx (>= 2.4); %s; %s",
                settings.slots(), settings.workerConcurrency(), one.seconds(),
                warmOne.seconds(), three.seconds(), warmThree.seconds(), ratio, one.figures(), three.figures()));
    }

    private record Drain(boolean ok, double seconds, String figures) {
    }

    /** Plays every call (in the order given), waits until all are ready, and checks fetches and slots. */
    private Drain drain(List<Call> calls) throws Exception {
        playback.resetProviderStats();
        Instant started = Instant.now();
        for (Call call : calls) {
            check(playback.play(call).statusCode() == 202, "a play was not answered 202");
        }
        boolean ready = playback.awaitStatus(calls, "ready", Duration.ofSeconds(180));
        double seconds = playback.lastReadyAt(calls) - started.toEpochMilli() / 1000.0;
        Map<String, Object> stats = playback.providerStats();
        Map<String, Object> fetches = map(stats.get("fetches"));
        long fetchedOnce = calls.stream().filter(c -> fetchesOf(fetches, c) == 1).count();
        Map<String, Object> maxByAccount = map(stats.get("max_in_flight_by_account"));
        long maxInFlight = calls.stream().map(c -> c.business().accountSid()).distinct()
                .mapToLong(account -> number(maxByAccount.getOrDefault(account, 0L))).max().orElse(0);
        boolean ok = ready && fetchedOnce == calls.size() && maxInFlight <= settings.slots() && maxInFlight > 0;
        return new Drain(ok, seconds, String.format("%d workers: fetched once %d/%d, max in flight per account %d "
                + "(limit %d)", deployment.containers("worker", false).size(), fetchedOnce, calls.size(), maxInFlight,
                settings.slots()));
    }

    /** 3. SIGKILL the worker that holds a download: another worker finishes it within lease + 10 s. */
    Result killWorker() throws Exception {
        deployment.scale(3);
        Business business = state.backlog.get(0);
        Call call = playback.call(business, "{\"bytes_per_second\":100000,\"size_bytes\":3000000}");
        check(playback.play(call).statusCode() == 202, "the play was not answered 202");
        check(playback.awaitStatus(List.of(call), "downloading", Duration.ofSeconds(30)), "never downloading");
        String holder = deployment.sql("select worker from recording_runs where call_sid = '" + call.callSid()
                + "' and status = 'running'");
        String victim = deployment.containerOf(holder);
        deployment.engine(Duration.ofSeconds(30), "kill", "-s", "KILL", victim);
        long killed = System.nanoTime();
        // The retry need not crawl: the provider is fast again.
        playback.script(call, "{\"size_bytes\":3000000}");
        Duration lease = settings.lease();
        boolean ready = playback.awaitStatus(List.of(call), "ready", lease.plusSeconds(60));
        double recovery = secondsSince(killed);
        String finisher = deployment.sql("select worker from recording_runs where call_sid = '" + call.callSid()
                + "' and status = 'succeeded'");
        long slotsLeft = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && (slotsLeft = deployment.slotsTaken(business)) != 0) {
            pause(250);
        }
        String running = deployment.sql("select count(*) from recording_runs where call_sid = '" + call.callSid()
                + "' and status = 'running'");
        long limit = lease.toSeconds() + 10;
        boolean passed = ready && recovery <= limit && !finisher.equals(holder) && slotsLeft == 0 && running.equals("0");
        deployment.scale(3);
        return new Result(passed, String.format("killed %s (container %s) mid-download; ready %.1f s later on %s "
                        + "(limit: lease %d s + 10 s = %d s); slots left %d, runs running %s", holder, shortId(victim),
                recovery, finisher, lease.toSeconds(), limit, slotsLeft, running));
    }

    /**
     * 4. SIGTERM the worker holding the most downloads: the ones that end within its grace period are
     * stored by it, the others are handed back and finished by the other workers; it exits by itself
     * before the stop_grace_period, nothing is lost and each recording is stored by exactly one run.
     */
    Result stopWorker() throws Exception {
        deployment.scale(3);
        List<Call> calls = new ArrayList<>();
        Set<String> longOnes = new LinkedHashSet<>();
        for (Business business : state.backlog.subList(0, 6)) {
            calls.add(playback.call(business, "{\"bytes_per_second\":100000,\"size_bytes\":900000}"));
            Call slow = playback.call(business, "{\"bytes_per_second\":100000,\"size_bytes\":2500000}");
            calls.add(slow);
            longOnes.add(slow.callSid());
        }
        playback.resetProviderStats();
        for (Call call : calls) {
            check(playback.play(call).statusCode() == 202, "a play was not answered 202");
        }
        check(playback.awaitStatus(calls, "downloading", Duration.ofSeconds(30)), "not all downloading");
        Map<String, String> holders = workers("running", calls);
        String victimWorker = holders.values().stream()
                .collect(Collectors.groupingBy(w -> w, Collectors.counting())).entrySet().stream()
                .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        Set<String> held = holders.entrySet().stream().filter(e -> e.getValue().equals(victimWorker))
                .map(Map.Entry::getKey).collect(Collectors.toCollection(LinkedHashSet::new));
        String victim = deployment.containerOf(victimWorker);
        long stopping = System.nanoTime();
        deployment.engine(Duration.ofSeconds(120), "stop", victim);
        double stopSeconds = secondsSince(stopping);
        String exitCode = deployment.inspect(victim, "{{.State.ExitCode}}");
        String logs = deployment.engine(Duration.ofSeconds(30), "logs", victim);
        long handedBackLogged = logs.lines().filter(line -> line.contains("handed run") && line.contains("back")).count();
        boolean ready = playback.awaitStatus(calls, "ready", Duration.ofSeconds(120));
        Map<String, String> storedBy = workers("succeeded", calls);
        String runs = deployment.sql("select count(*), count(*) filter (where status = 'succeeded'), "
                + "count(*) filter (where status = 'failed') from recording_runs where call_sid in (" + quoted(calls) + ")");
        Map<String, Object> fetches = playback.fetches();
        long finishedInGrace = held.stream().filter(c -> victimWorker.equals(storedBy.get(c))).count();
        long handedBack = held.size() - finishedInGrace;
        boolean finishedOnesOnce = held.stream().filter(c -> victimWorker.equals(storedBy.get(c)))
                .allMatch(c -> number(fetches.getOrDefault(recordingOf(calls, c), 0L)) == 1);
        boolean oneStoreEach = calls.stream().allMatch(c -> storedBy.getOrDefault(c.callSid(), "").split(",").length == 1
                && !storedBy.getOrDefault(c.callSid(), "").isEmpty());
        String expectedRuns = calls.size() + "|" + calls.size() + "|0";
        boolean passed = !held.isEmpty() && stopSeconds < 40 && !exitCode.equals("137") && ready && oneStoreEach
                && runs.equals(expectedRuns) && finishedOnesOnce && handedBackLogged == handedBack;
        deployment.scale(3);
        return new Result(passed, String.format("SIGTERM to %s holding %d downloads (%d longer than its 10 s grace): "
                        + "exited by itself after %.1f s (exit %s, stop_grace_period 40 s); %d finished and stored "
                        + "during the grace (fetched once), %d handed back (logged %d) and finished elsewhere; "
                        + "all %d ready=%s; runs total|succeeded|failed = %s; one stored download per recording=%s",
                shortId(victim), held.size(), held.stream().filter(longOnes::contains).count(), stopSeconds, exitCode,
                finishedInGrace, handedBack, handedBackLogged, calls.size(), ready, runs.replace('|', '/'),
                oneStoreEach));
    }

    /** The workers of the calls' runs in that status, by call SID (several joined by commas). */
    private Map<String, String> workers(String status, List<Call> calls) throws Exception {
        Map<String, String> workers = new TreeMap<>();
        for (String line : deployment.sql("select call_sid, worker from recording_runs where status = '" + status
                + "' and call_sid in (" + quoted(calls) + ")").split("\n")) {
            String[] parts = line.split("\\|");
            workers.merge(parts[0], parts[1], (a, b) -> a + "," + b);
        }
        return workers;
    }
}
