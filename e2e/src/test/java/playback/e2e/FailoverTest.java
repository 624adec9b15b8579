package playback.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.devstack.ManagedProcess;
import playback.devstack.ResultTable;
import playback.devstack.Stack;
import playback.model.DownloadStatus;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The loss of any one Redis or PostgreSQL server under load, nothing lost: the simulator, 2 api and 2
 * worker processes against replicated servers of the test's own ({@link ReplicatedServers}: a Redis
 * primary, two replicas and three sentinels; a pg_auto_failover monitor, primary and synchronous
 * standby), one system for four scenarios, each under the same load: cold Plays of 10 businesses (3 slots
 * each, the provider's latency 1 s) in bursts of 4 of one business, warm Plays of a stored recording,
 * listeners of a recording while it downloads, and new calls reported through webhooks. Prints one table.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverTest {

    private static final String DATABASE = "playback_failover";
    /** The servers' data, every process's log, and each scenario's answers (CSV, times from the fault on). */
    private static final Path WORK = Path.of("e2e/target/failover-run");
    /**
     * Shorter than the default 30 s, so that a run whose lease a fault made its worker lose is taken over
     * within the scenario; longer than the PostgreSQL switch (about 10 s here) and a renewal, as the
     * promise needs: a worker keeps its runs through a switch shorter than their lease.
     */
    private static final Duration LEASE = Duration.ofSeconds(20);
    private static final int SLOTS = 3;
    private static final int BUSINESSES = 10;
    private static final int BURST = 4;
    private static final Duration BURST_EVERY = Duration.ofSeconds(1);
    private static final String COLD_SCRIPT = "{\"latency_ms\":1000,\"bytes_per_second\":100000,\"size_bytes\":100000}";
    private static final long LIVE_BYTES_PER_SECOND = 100_000;
    private static final int LISTENERS = 4;
    private static final Duration BASELINE = Duration.ofSeconds(2);
    private static final Duration TAIL = Duration.ofSeconds(5);
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final Duration REDIS_GOAL = Duration.ofSeconds(10);
    private static final Duration POSTGRES_GOAL = Duration.ofSeconds(30);
    private static final Duration FREEZE = Duration.ofSeconds(30);
    private static final ResultTable TABLE = new ResultTable();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The listeners' threads: each reads its stream to the end. */
    private static final ExecutorService LISTENING = Executors.newCachedThreadPool();

    private static ReplicatedServers servers;
    private static Stack stack;
    private static final Fixtures[] fixtures = new Fixtures[2];
    private static Probes probes;
    private static final ManagedProcess[] workers = new ManagedProcess[2];
    private static final String[] apis = new String[2];
    private static final List<Business> businesses = new ArrayList<>();
    private static Business listened;
    private static Call warm;

    @BeforeAll
    static void startSystem() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        Path work = WORK.toAbsolutePath();
        // The servers' folder is wiped by ReplicatedServers, which first stops what an earlier run left there.
        for (String earlier : List.of("logs", "recordings")) {
            ServerProcesses.wipe(work.resolve(earlier));
        }
        servers = ReplicatedServers.start(work.resolve("servers"));
        servers.createDatabase(DATABASE);
        // One code path: Sentinel and the multi-host JDBC URL are configuration only.
        stack = new Stack(root, work.resolve("logs"), work.resolve("recordings"), servers.jdbcUrl(DATABASE), "postgres",
                servers.sentinelHosts());
        Map<String, String> common = Map.of(
                "QUARKUS_REDIS_CLIENT_TYPE", "sentinel",
                "QUARKUS_REDIS_MASTER_NAME", ReplicatedServers.MASTER_NAME,
                "QUARKUS_REDIS_AUTO_FAILOVER", "true",
                "PLAYBACK_SLOTS_PER_BUSINESS", Integer.toString(SLOTS),
                "PLAYBACK_RETRY_BACKOFF", "1s,2s,3s,5s");
        String simulatorUrl = stack.simulator("simulator", Stack.freePort(), Stack.freePort()).url();
        for (int i = 0; i < 2; i++) {
            apis[i] = stack.api("api-" + (i + 1), Stack.freePort(), simulatorUrl, common).url();
        }
        Map<String, String> worker = new HashMap<>(common);
        worker.putAll(Map.of(
                "PLAYBACK_SLOTS_LEASE", LEASE.toSeconds() + "s",
                "PLAYBACK_WORKER_ORPHAN_AFTER", "5s",
                "PLAYBACK_WORKER_SWEEP_INTERVAL", "1s"));
        for (int i = 0; i < 2; i++) {
            workers[i] = stack.worker("worker-" + (i + 1), Stack.freePort(), simulatorUrl, worker);
        }
        for (int i = 0; i < 2; i++) {
            fixtures[i] = new Fixtures(stack, apis[i], simulatorUrl);
        }
        probes = new Probes(stack, List.of(apis));
        for (int i = 0; i < BUSINESSES; i++) {
            businesses.add(fixtures[0].business("Failover " + (i + 1)));
        }
        listened = fixtures[0].business("Failover listeners");
        warm = fixtures[0].call(listened, "{\"size_bytes\":100000}");
        probes.playConcurrently(List.of(warm), 1);
        assertTrue(Probes.await(Duration.ofSeconds(30), () -> isReady(warm)), "the warm recording is stored");
    }

    @AfterAll
    static void stopSystem() {
        if (stack != null) {
            stack.close();
        }
        if (servers != null) {
            servers.close();
        }
        LISTENING.shutdownNow();
        System.out.println(TABLE.render());
    }

    @Test
    @Order(1)
    void redisPrimaryKilled() throws Exception {
        scenario("1. kill -9 the Redis primary", 18, REDIS_GOAL, () -> {
            servers.killRedisPrimary();
            Duration failover = servers.awaitRedisFailover(Duration.ofSeconds(30));
            servers.rejoinRedis();
            Duration whole = servers.awaitRedisWhole(Duration.ofSeconds(30));
            return new Fault(true, String.format("failover %.1f s, whole again %.1f s", seconds(failover), seconds(whole)));
        });
    }

    @Test
    @Order(2)
    void redisPrimaryFrozen() throws Exception {
        scenario("2. SIGSTOP the Redis primary " + FREEZE.toSeconds() + " s", 52, REDIS_GOAL, () -> {
            servers.freezeRedisPrimary();
            Duration failover = servers.awaitRedisFailover(Duration.ofSeconds(30));
            if (failover.compareTo(FREEZE) < 0) {
                ServerProcesses.pause(FREEZE.minus(failover));
            }
            String write = servers.thawRedisPrimary();
            Duration whole = servers.awaitRedisWhole(Duration.ofSeconds(40));
            boolean refused = write.startsWith("NOREPLICAS") || write.startsWith("READONLY");
            return new Fault(refused, String.format("failover %.1f s, thawed: a write answered \"%s\", a replica again at %.1f s",
                    seconds(failover), write, seconds(whole)));
        });
    }

    @Test
    @Order(3)
    void postgresPrimaryKilled() throws Exception {
        scenario("3. kill -9 the PostgreSQL primary", 30, POSTGRES_GOAL, () -> {
            servers.killPostgresPrimary();
            Duration failover = servers.awaitPostgresFailover(Duration.ofSeconds(40));
            servers.rejoinPostgres();
            Duration whole = servers.awaitPostgresWhole(Duration.ofSeconds(60));
            return new Fault(true, String.format("standby promoted %.1f s, old primary a standby again %.1f s",
                    seconds(failover), seconds(whole)));
        });
    }

    @Test
    @Order(4)
    void replicaAndStandbyRestarted() throws Exception {
        scenario("4. restart the Redis replica and the PostgreSQL standby", 12, Duration.ZERO, () -> {
            servers.restartRedisReplica();
            Duration redis = servers.awaitRedisWhole(Duration.ofSeconds(30));
            servers.restartPostgresStandby();
            Duration postgres = servers.awaitPostgresWhole(Duration.ofSeconds(60));
            return new Fault(true, String.format("Redis whole again %.1f s, PostgreSQL %.1f s", seconds(redis),
                    seconds(postgres)));
        });
    }

    // ------------------------------------------------------------------ one scenario

    /** What the fault did, as the servers saw it; {@code ok} false when the servers misbehaved. */
    private record Fault(boolean ok, String numbers) {
    }

    private interface Strike {
        /** Brings the fault about and heals it: returns once the topology is whole again. */
        Fault strike() throws Exception;
    }

    /**
     * Runs the load, strikes once the load runs, keeps the load on for a while after the topology is
     * whole, then checks every promise and prints one row.
     */
    private void scenario(String name, int bursts, Duration windowGoal, Strike strike) throws Exception {
        List<Call> cold = coldCalls(bursts);
        int liveSeconds = (int) (bursts * BURST_EVERY.toSeconds());
        Call live = fixtures[0].call(listened, "{\"latency_ms\":300,\"bytes_per_second\":" + LIVE_BYTES_PER_SECOND
                + ",\"size_bytes\":" + liveSeconds * LIVE_BYTES_PER_SECOND + "}");
        fixtures[0].resetSimulatorStats();
        List<CompletableFuture<Probes.Listener>> listeners = listen(live);
        Load load = new Load(cold);
        load.start();
        ServerProcesses.pause(BASELINE);
        List<String> readyBefore = readyCallSids();
        long struck = System.nanoTime();
        Fault fault = strike.strike();
        Instant healed = Instant.now();
        ServerProcesses.pause(TAIL);
        load.stopNew();
        boolean answered = load.awaitAnswered(SETTLE);
        List<Call> played = load.played();
        List<Call> expectedReady = new ArrayList<>(played);
        expectedReady.add(live);
        Probes.await(SETTLE, () -> expectedReady.stream().allMatch(FailoverTest::isReady));
        List<Call> notReady = expectedReady.stream().filter(call -> !isReady(call)).toList();
        String stored = isReady(live) ? probes.storedDigest(live) : "not stored";
        long listenersDiffering = listeners.stream().map(listener -> listener.orTimeout(30, TimeUnit.SECONDS)
                        .exceptionally(e -> new Probes.Listener(-1, "failed: " + e, false)).join())
                .filter(listener -> listener.status() != 200 || !listener.digest().equals(stored)).count();
        load.close();

        JsonNode stats = fixtures[0].simulatorStats();
        Map<String, Integer> fetchedAgain = new TreeMap<>();
        for (Call call : expectedReady) {
            int fetches = stats.path("fetches").path(call.recordingSid()).asInt(0);
            if (fetches != 1) {
                fetchedAgain.put(call.callSid(), fetches);
            }
        }
        int maxInFlight = 0;
        for (JsonNode perAccount : stats.path("max_in_flight_by_account")) {
            maxInFlight = Math.max(maxInFlight, perAccount.asInt());
        }
        List<String> stuck = stuckWorkers(healed);
        int lostReady = readyBefore.size() - fixtures[0].count("select count(*) from call_logs where call_sid = any (?) "
                + "and recording_download_status = ?", sqlArray(readyBefore), DownloadStatus.READY.wire());
        List<String> reported = load.reported.stream().map(Call::callSid).toList();
        int lostReported = reported.size() - fixtures[0].count("select count(*) from call_logs where call_sid = any (?) "
                + "and recording_sid is not null", sqlArray(reported));

        Answers plays = load.answers(struck);
        List<String> badWebhooks = load.refusals().stream().filter(refusal -> !refusal.unavailable()).map(Refusal::reason)
                .toList();
        load.write(WORK.resolve("scenario-" + name.substring(0, name.indexOf('.')) + "-answers.csv"), struck);
        boolean passed = fault.ok() && answered && plays.within(windowGoal) && plays.bad().isEmpty()
                && badWebhooks.isEmpty() && notReady.isEmpty() && fetchedAgain.isEmpty() && maxInFlight <= SLOTS
                && maxInFlight > 0 && stuck.isEmpty() && listenersDiffering == 0 && lostReady == 0 && lostReported == 0;
        TABLE.add(name, passed, String.format("%s; %s; webhooks refused %d (other than by 503: %d); not ready %d/%d; "
                        + "fetched other than once %d; most in flight per account %d (limit %d); workers stuck %d; "
                        + "listeners differing %d/%d; committed state lost %d (%d ready before, %d calls reported)",
                fault.numbers(), plays.describe(windowGoal), load.refusals().size(), badWebhooks.size(), notReady.size(),
                expectedReady.size(), fetchedAgain.size(), maxInFlight, SLOTS, stuck.size(), listenersDiffering, LISTENERS,
                lostReady + lostReported, readyBefore.size(), reported.size()));
        assertTrue(passed, name + ": " + fault.numbers() + "; Plays answered other than 2xx or 503 JSON with Retry-After: "
                + plays.bad() + "; webhooks refused other than by 503: " + badWebhooks + "; every Play answered 2xx: "
                + answered + "; not ready: " + notReady.stream().map(Call::callSid).toList() + "; fetched other than once: "
                + fetchedAgain + ", their runs: " + runs(fetchedAgain.keySet()) + "; stuck workers: " + stuck
                + "; answers and logs in " + WORK);
    }

    /** bursts × {@value #BURST} calls reported now, a burst's calls of one business, the businesses in turn. */
    private static List<Call> coldCalls(int bursts) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Call>> calls = new ArrayList<>();
            for (int i = 0; i < bursts * BURST; i++) {
                Business business = businesses.get(i / BURST % BUSINESSES);
                Fixtures reporter = fixtures[i % 2];
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return reporter.call(business, COLD_SCRIPT);
                    } catch (Exception e) {
                        throw new IllegalStateException("a call before the fault: " + e.getMessage(), e);
                    }
                }, pool));
            }
            return calls.stream().map(CompletableFuture::join).toList();
        } finally {
            pool.shutdownNow();
        }
    }

    /** A Play of the recording, its live URL from the other api, and listeners on both apis, reading to the end. */
    private static List<CompletableFuture<Probes.Listener>> listen(Call live) throws Exception {
        int played = probes.play(live, apis[0]).join().statusCode();
        HttpResponse<String> playable = probes.get(apis[1] + "/api/recordings/" + live.callSid() + "/status?wait=20&live=true",
                live.business().token());
        String liveUrl = JSON.readTree(playable.body()).path("live_stream_url").asText(null);
        assertTrue(played == 202 && liveUrl != null, "the live recording plays while it downloads: " + played + " "
                + playable.body());
        List<CompletableFuture<Probes.Listener>> listeners = new ArrayList<>();
        for (int i = 0; i < LISTENERS; i++) {
            URI url = URI.create(apis[i % apis.length]).resolve(liveUrl);
            listeners.add(CompletableFuture.supplyAsync(() -> probes.listen(url, live), LISTENING));
        }
        return listeners;
    }

    /** The workers that took no job after the fault, or whose health is not UP. */
    private static List<String> stuckWorkers(Instant healed) {
        List<String> stuck = new ArrayList<>();
        for (ManagedProcess worker : workers) {
            int taken = fixtures[0].count("select count(*) from recording_runs where worker like ? and started_at > ?",
                    worker.pid() + "@%", Timestamp.from(healed));
            HttpResponse<String> health = probes.get(worker.url() + "/q/health", "");
            if (taken == 0 || health.statusCode() != 200) {
                stuck.add(String.format("%s: %d jobs taken after the fault, health %d %s", worker.name(), taken,
                        health.statusCode(), health.body()));
            }
        }
        return stuck;
    }

    /** Each run of the calls: status, worker, when it started and finished, for a failure message. */
    private static List<String> runs(Set<String> callSids) {
        List<String> runs = new ArrayList<>();
        try (Connection db = stack.connect();
             PreparedStatement query = db.prepareStatement("""
                     select call_sid, id, status, worker, started_at, finished_at from recording_runs
                     where call_sid = any (?) order by call_sid, id""")) {
            query.setObject(1, callSids.toArray(String[]::new));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    runs.add(String.format("%s run %d %s on %s %s..%s", row.getString(1), row.getLong(2), row.getString(3),
                            row.getString(4), row.getTimestamp(5), row.getTimestamp(6)));
                }
            }
        } catch (SQLException e) {
            runs.add("(not read: " + e.getMessage() + ")");
        }
        return runs;
    }

    private static List<String> readyCallSids() {
        List<String> sids = new ArrayList<>();
        try (Connection db = stack.connect();
             PreparedStatement query = db.prepareStatement("select call_sid from call_logs where recording_download_status = ?")) {
            query.setString(1, DownloadStatus.READY.wire());
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    sids.add(row.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the recordings ready before the fault: " + e.getMessage(), e);
        }
        return sids;
    }

    /** The values as one parameter, a {@code text[]}. */
    private static Object sqlArray(List<String> values) {
        return values.toArray(String[]::new);
    }

    private static boolean isReady(Call call) {
        return DownloadStatus.READY.wire().equals(probes.status(call));
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    // ------------------------------------------------------------------ the load

    private enum PlayKind { COLD, WARM }

    /** One answer to a Play: when it was sent and answered (System.nanoTime), its status (-1: none) and what it said. */
    private record Answer(PlayKind kind, long sentNanos, long answeredNanos, int status, boolean unavailable, String said) {

        boolean ok() {
            return status / 100 == 2;
        }
    }

    /** A new call's webhooks not both answered 204; only a 503 is a refusal the provider retries. */
    private record Refusal(long nanos, String reason) {

        private static final Pattern UNAVAILABLE =
                Pattern.compile("webhooks refused: call-status (204|503), recording-status (204|503)");

        boolean unavailable() {
            return UNAVAILABLE.matcher(reason).matches();
        }
    }

    /**
     * The Plays' answers of a scenario, summed up. {@code window}: from the first answer other than 2xx to
     * the last; {@code firstSent}, {@code lastAnswered}: when the first of those Plays was sent and the last
     * answered, from the fault on; {@code slowest}: the longest such a Play waited for its answer;
     * {@code bad}: the first answers that were neither 2xx nor a JSON 503 with Retry-After.
     */
    private record Answers(int total, int warm, int failed, Duration window, Duration firstSent, Duration lastAnswered,
                           Duration slowest, List<String> bad) {

        static Answers of(List<Answer> answers, long struck) {
            List<Answer> failed = answers.stream().filter(answer -> !answer.ok()).toList();
            int warm = (int) answers.stream().filter(answer -> answer.kind() == PlayKind.WARM).count();
            List<String> bad = failed.stream().filter(answer -> !answer.unavailable())
                    .map(answer -> answer.kind() + " " + answer.status() + " " + answer.said()).limit(10).toList();
            if (failed.isEmpty()) {
                return new Answers(answers.size(), warm, 0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, bad);
            }
            long firstAnswered = failed.stream().mapToLong(Answer::answeredNanos).min().orElseThrow();
            long lastAnswered = failed.stream().mapToLong(Answer::answeredNanos).max().orElseThrow();
            long firstSent = failed.stream().mapToLong(Answer::sentNanos).min().orElseThrow();
            long slowest = failed.stream().mapToLong(answer -> answer.answeredNanos() - answer.sentNanos()).max().orElseThrow();
            return new Answers(answers.size(), warm, failed.size(), Duration.ofNanos(lastAnswered - firstAnswered),
                    Duration.ofNanos(firstSent - struck), Duration.ofNanos(lastAnswered - struck), Duration.ofNanos(slowest), bad);
        }

        String describe(Duration goal) {
            if (failed == 0) {
                return String.format("Plays %d (warm %d): all 2xx", total, warm);
            }
            return String.format("Plays %d (warm %d): non-2xx %d, all JSON 503 + Retry-After: %s, answered within %.1f s "
                            + "(goal %d s), from %.1f s to %.1f s after the fault (the first sent at %.1f s, the slowest "
                            + "answered after %.1f s)", total, warm, failed, bad.isEmpty(), seconds(window), goal.toSeconds(),
                    seconds(lastAnswered.minus(window)), seconds(lastAnswered), seconds(firstSent), seconds(slowest));
        }

        /** Within the goal: no answer other than 2xx at all when the goal is zero. */
        boolean within(Duration goal) {
            return goal.isZero() ? failed == 0 : window.compareTo(goal) <= 0;
        }
    }

    /**
     * The load of a scenario: every second a burst of {@value #BURST} cold Plays of one business (more than
     * its slots), the businesses in turn, over both apis; a warm Play of the stored recording every half
     * second; a new call reported through the webhooks every half second. A Play answered anything but 2xx
     * is sent again after its Retry-After (1 s without one), as the player does, until it is answered 2xx.
     */
    private static final class Load implements AutoCloseable {

        private static final Duration GIVE_UP = Duration.ofMinutes(3);

        private final List<Call> cold;
        private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(4);
        private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        private final List<Call> played = Collections.synchronizedList(new ArrayList<>());
        private final List<Call> reported = Collections.synchronizedList(new ArrayList<>());
        private final List<Refusal> refusals = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger nextCold = new AtomicInteger();
        private final AtomicInteger turn = new AtomicInteger();
        private final AtomicInteger outstanding = new AtomicInteger();
        private final Set<Call> unanswered = ConcurrentHashMap.newKeySet();
        private final long started = System.nanoTime();
        private volatile boolean generating = true;

        Load(List<Call> cold) {
            this.cold = cold;
        }

        void start() {
            timer.scheduleAtFixedRate(this::burst, 0, BURST_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            timer.scheduleAtFixedRate(() -> {
                if (generating) {
                    play(PlayKind.WARM, warm);
                }
            }, 250, 500, TimeUnit.MILLISECONDS);
            timer.scheduleAtFixedRate(this::report, 100, 500, TimeUnit.MILLISECONDS);
        }

        private void burst() {
            if (!generating) {
                return;
            }
            for (int i = 0; i < BURST; i++) {
                int next = nextCold.getAndIncrement();
                if (next >= cold.size()) {
                    return;
                }
                played.add(cold.get(next));
                play(PlayKind.COLD, cold.get(next));
            }
        }

        private void play(PlayKind kind, Call call) {
            outstanding.incrementAndGet();
            if (kind == PlayKind.COLD) {
                unanswered.add(call);
            }
            long sent = System.nanoTime();
            String api = apis[turn.getAndIncrement() % apis.length];
            probes.play(call, api).whenComplete((response, error) -> {
                long answered = System.nanoTime();
                Answer answer = error != null ? new Answer(kind, sent, answered, -1, false, error.toString())
                        : new Answer(kind, sent, answered, response.statusCode(), unavailable(response),
                        response.statusCode() / 100 == 2 ? "" : response.body());
                answers.add(answer);
                if (kind == PlayKind.COLD && (answer.ok() || System.nanoTime() - started > GIVE_UP.toNanos())) {
                    unanswered.remove(call);
                } else if (kind == PlayKind.COLD) {
                    long retryAfter = response == null ? 1 : response.headers().firstValueAsLong("Retry-After").orElse(1);
                    timer.schedule(() -> play(kind, call), Math.max(1, retryAfter), TimeUnit.SECONDS);
                }
                outstanding.decrementAndGet();
            });
        }

        /** A 503 the player understands: JSON, with Retry-After. */
        private static boolean unavailable(HttpResponse<String> response) {
            return response.statusCode() == 503
                    && response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                    && response.headers().firstValue("Retry-After").isPresent();
        }

        private void report() {
            if (!generating) {
                return;
            }
            int n = turn.get();
            try {
                reported.add(fixtures[n % 2].call(businesses.get(n % BUSINESSES), COLD_SCRIPT));
            } catch (Exception refused) {
                refusals.add(new Refusal(System.nanoTime(), String.valueOf(refused.getMessage())));
            }
        }

        void stopNew() {
            generating = false;
        }

        /** Waits until every cold Play was answered 2xx (or given up on). */
        boolean awaitAnswered(Duration timeout) {
            return Probes.await(timeout, () -> outstanding.get() == 0 && unanswered.isEmpty());
        }

        /** Every answer and every refused webhook, one a line, times in ms from the fault. */
        void write(Path file, long struck) throws IOException {
            List<String> lines = new ArrayList<>(List.of("kind,sent_ms,answered_ms,status,said"));
            synchronized (answers) {
                for (Answer answer : answers) {
                    lines.add(String.join(",", answer.kind().name(), Long.toString((answer.sentNanos() - struck) / 1_000_000),
                            Long.toString((answer.answeredNanos() - struck) / 1_000_000), Integer.toString(answer.status()),
                            '"' + answer.said().replace('"', '\'').replace('\n', ' ') + '"'));
                }
            }
            synchronized (refusals) {
                for (Refusal refusal : refusals) {
                    lines.add(String.join(",", "WEBHOOK", Long.toString((refusal.nanos() - struck) / 1_000_000), "", "",
                            '"' + refusal.reason().replace('"', '\'') + '"'));
                }
            }
            Files.write(file, lines);
        }

        List<Refusal> refusals() {
            synchronized (refusals) {
                return List.copyOf(refusals);
            }
        }

        List<Call> played() {
            return List.copyOf(played);
        }

        Answers answers(long struck) {
            synchronized (answers) {
                return Answers.of(List.copyOf(answers), struck);
            }
        }

        @Override
        public void close() {
            timer.shutdownNow();
        }
    }
}
