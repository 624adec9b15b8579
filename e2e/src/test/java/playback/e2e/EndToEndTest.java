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
import playback.model.Lane;
import playback.model.RunStatus;
import playback.queue.RedisKeys;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guarantees across real processes: 2 api replicas, 2 worker replicas and the provider simulator
 * on free ports against a PostgreSQL and a Redis of the test's own (also on free ports; the machine's
 * servers are never touched), with real crashes and outages. Prints one table at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndTest {

    private static final String DATABASE = "playback_e2e";
    private static final int REDIS_DB = 0;
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration REDIS_OUTAGE = Duration.ofSeconds(3);
    private static final Duration POSTGRES_OUTAGE = Duration.ofSeconds(10);
    /** Far above the expected tens of ms (2 shared cores), far below the status-poll backoff of 3 s. */
    private static final long LONG_POLL_LIMIT_MILLIS = 1000;
    private static final long EVICTION_BUDGET = 3_000_000;
    private static final Duration EVICTION_PROTECT = Duration.ofSeconds(3);
    private static final ResultTable TABLE = new ResultTable();
    private static final int LISTENERS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static OwnedServers servers;
    private static Stack stack;
    private static Fixtures fixtures;
    private static Probes probes;
    private static ManagedProcess[] workers = new ManagedProcess[2];
    private static int[] workerPorts = new int[2];
    private static String simulatorUrl;
    private static String[] apis = new String[2];
    private static Business acme;
    private static Business harbor;

    @BeforeAll
    static void startSystem() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        Path work = root.resolve("e2e/target/e2e-run");
        Files.createDirectories(work);
        servers = OwnedServers.start(work.resolve("servers"));
        servers.createDatabase(DATABASE);
        stack = new Stack(root, work.resolve("logs"), work.resolve("recordings"), servers.jdbcUrl(DATABASE), "postgres",
                servers.redisUrl(REDIS_DB));
        simulatorUrl = stack.simulator("simulator", Stack.freePort(), Stack.freePort()).url();
        Map<String, String> tuning = Map.of("PLAYBACK_RETRY_BACKOFF", "1s,2s,3s,5s");
        for (int i = 0; i < 2; i++) {
            apis[i] = stack.api("api-" + (i + 1), Stack.freePort(), simulatorUrl, tuning).url();
        }
        for (int i = 0; i < 2; i++) {
            workerPorts[i] = Stack.freePort();
            startWorker(i);
        }
        fixtures = new Fixtures(stack, apis[0], simulatorUrl);
        probes = new Probes(stack, List.of(apis));
        acme = fixtures.business("Acme e2e");
        harbor = fixtures.business("Harbor e2e");
    }

    private static void startWorker(int index) throws IOException {
        startWorker(index, Map.of());
    }

    private static void startWorker(int index, Map<String, String> settings) throws IOException {
        Map<String, String> all = new HashMap<>(Map.of(
                "PLAYBACK_SLOTS_PER_BUSINESS", "3",
                "PLAYBACK_SLOTS_LEASE", LEASE.toSeconds() + "s",
                "PLAYBACK_WORKER_ORPHAN_AFTER", "5s",
                "PLAYBACK_WORKER_SWEEP_INTERVAL", "1s",
                "PLAYBACK_RETRY_BACKOFF", "1s,2s,3s,5s"));
        all.putAll(settings);
        workers[index] = stack.worker("worker-" + (index + 1), workerPorts[index], simulatorUrl, all);
    }

    @AfterAll
    static void stopSystem() {
        if (stack != null) {
            stack.close();
        }
        if (servers != null) {
            servers.close();
        }
        System.out.println(TABLE.render());
    }

    @Test
    @Order(1)
    void fiveHundredConcurrentPlaysOverTwoApisFetchOnce() throws Exception {
        Call call = fixtures.call(acme, "{\"latency_ms\":1500,\"duration_seconds\":60}");
        long started = System.nanoTime();
        List<Integer> statuses = probes.playConcurrently(List.of(call), 500);
        long answeredMillis = (System.nanoTime() - started) / 1_000_000;
        boolean ready = Probes.await(Duration.ofSeconds(30), () -> "ready".equals(probes.status(call)));
        int fetches = fixtures.providerFetches(call);
        int runs = runs(call);
        boolean passed = Set.of(200, 202).containsAll(statuses) && ready && fetches == 1 && runs == 1;
        TABLE.add("1. 500 concurrent plays over 2 apis", passed, String.format(
                "fetches=%d runs=%d answers=%s all answered in %d ms", fetches, runs, Set.copyOf(statuses), answeredMillis));
        assertTrue(passed, "one fetch and one run for 500 concurrent plays");
    }

    @Test
    @Order(2)
    void hundredRecordingsRespectThreeSlotsPerBusiness() throws Exception {
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(fixtures.call(acme, "{\"latency_ms\":200,\"bytes_per_second\":400000,\"size_bytes\":200000}"));
            calls.add(fixtures.call(harbor, "{\"latency_ms\":200,\"bytes_per_second\":400000,\"size_bytes\":200000}"));
        }
        fixtures.resetSimulatorStats();
        long started = System.nanoTime();
        List<Integer> statuses = probes.playConcurrently(calls, calls.size());
        boolean ready = Probes.await(Duration.ofSeconds(120), () -> calls.stream().allMatch(c -> "ready".equals(probes.status(c))));
        long seconds = (System.nanoTime() - started) / 1_000_000_000;
        JsonNode stats = fixtures.simulatorStats();
        int maxAcme = stats.path("max_in_flight_by_account").path(acme.accountSid()).asInt(-1);
        int maxHarbor = stats.path("max_in_flight_by_account").path(harbor.accountSid()).asInt(-1);
        int totalFetches = calls.stream().mapToInt(fixtures::providerFetches).sum();
        boolean passed = Set.of(200, 202).containsAll(statuses) && ready && maxAcme <= 3 && maxHarbor <= 3
                && maxAcme > 0 && maxHarbor > 0 && totalFetches == calls.size();
        TABLE.add("2. 100 recordings, 2 businesses, 3 slots each", passed, String.format(
                "max in flight per account=%d/%d fetches=%d all ready=%s in %d s", maxAcme, maxHarbor, totalFetches,
                ready, seconds));
        assertTrue(passed, "never more than 3 in flight per account, all ready");
    }

    @Test
    @Order(3)
    void killedWorkerJobCompletesOnTheOtherWorker() throws Exception {
        Call call = fixtures.call(acme, "{\"bytes_per_second\":50000,\"size_bytes\":3000000}");
        probes.playConcurrently(List.of(call), 1);
        boolean downloading = Probes.await(Duration.ofSeconds(20), () -> "downloading".equals(probes.status(call)));
        String holder = activeRunWorker(call);
        int victim = holder != null && holder.startsWith(workers[1].pid() + "@") ? 1 : 0;
        workers[victim].kill();
        long killed = System.nanoTime();
        fixtures.script(call.recordingSid(), "{\"size_bytes\":3000000}");
        boolean ready = Probes.await(LEASE.plusSeconds(40), () -> "ready".equals(probes.status(call)));
        double recovery = (System.nanoTime() - killed) / 1e9;
        long slotsLeft = Long.parseLong(servers.redisCli("-n", Integer.toString(REDIS_DB), "ZCARD",
                RedisKeys.slots(acme.id())).trim());
        int running = fixtures.count("select count(*) from recording_runs where call_sid = ? and status = ?",
                call.callSid(), RunStatus.RUNNING.wire());
        boolean passed = downloading && holder != null && ready && recovery <= LEASE.toSeconds() + 10 && slotsLeft == 0
                && running == 0;
        TABLE.add("3. SIGKILL a worker mid-download", passed, String.format(
                "killed worker-%d, ready on the other after %.1f s (limit %d s), slots left=%d, runs running=%d",
                victim + 1, recovery, LEASE.toSeconds() + 10, slotsLeft, running));
        startWorker(victim);
        assertTrue(passed, "the job completes on the other worker within lease + 10 s");
    }

    @Test
    @Order(4)
    void redisFlushedOrRestartedMidFlightLosesNothing() throws Exception {
        String flush = chaos(() -> servers.redisCli("FLUSHALL"));
        String restart = chaos(() -> servers.restartRedisAfter(REDIS_OUTAGE));
        boolean passed = flush.startsWith("ok") && restart.startsWith("ok");
        TABLE.add("4. Redis FLUSHALL / restart mid-flight", passed, "flushall: " + flush + "; restart: " + restart);
        assertTrue(passed, flush + " / " + restart);
    }

    interface Blow {
        void strike() throws Exception;
    }

    /**
     * 20 recordings queued, the first of them downloading, then the blow (Redis only: PostgreSQL queries
     * must keep working); every one must end ready, and there are never two active runs for one recording.
     */
    private String chaos(Blow blow) throws Exception {
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(fixtures.call(harbor, "{\"latency_ms\":300,\"bytes_per_second\":500000,\"size_bytes\":800000}"));
        }
        probes.playConcurrently(calls, calls.size());
        boolean midFlight = Probes.await(Duration.ofSeconds(30), () -> calls.stream().anyMatch(c -> "downloading".equals(probes.status(c))));
        long readyBefore = calls.stream().filter(c -> "ready".equals(probes.status(c))).count();
        long struck = System.nanoTime();
        blow.strike();
        AtomicInteger doubleActive = new AtomicInteger();
        boolean settled = Probes.await(Duration.ofSeconds(150), () -> {
            doubleActive.accumulateAndGet(fixtures.count("""
                    select count(*) from (select call_sid from recording_runs where status in ('queued', 'running')
                    group by business_id, call_sid having count(*) > 1) doubled"""), Math::max);
            return calls.stream().allMatch(c -> Set.of("ready", "failed").contains(probes.status(c)));
        });
        double seconds = (System.nanoTime() - struck) / 1e9;
        long ready = calls.stream().filter(c -> "ready".equals(probes.status(c))).count();
        long failed = calls.stream().filter(c -> "failed".equals(probes.status(c))).count();
        boolean ok = midFlight && settled && doubleActive.get() == 0 && ready == calls.size();
        return String.format("%s ready=%d/%d (%d before the blow) failed=%d double-active=%d settled in %.1f s",
                ok ? "ok" : "FAILED", ready, calls.size(), readyBefore, failed, doubleActive.get(), seconds);
    }

    @Test
    @Order(5)
    void postgresOutageAnswers503AndRecovers() throws Exception {
        List<Call> inFlight = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            inFlight.add(fixtures.call(acme, "{\"bytes_per_second\":300000,\"size_bytes\":2000000}"));
        }
        probes.playConcurrently(inFlight, inFlight.size());
        boolean downloading = Probes.await(Duration.ofSeconds(30),
                () -> inFlight.stream().anyMatch(c -> "downloading".equals(probes.status(c))));
        int answers = 0;
        int unavailable = 0;
        int errors = 0;
        long slowestMillis = 0;
        Set<Integer> seen = new java.util.TreeSet<>();
        servers.stopPostgres();
        long stopped = System.nanoTime();
        try {
            while (System.nanoTime() - stopped < POSTGRES_OUTAGE.toNanos()) {
                for (String api : apis) {
                    long started = System.nanoTime();
                    HttpResponse<String> response = probes.get(api + "/api/calls", acme.token());
                    slowestMillis = Math.max(slowestMillis, (System.nanoTime() - started) / 1_000_000);
                    answers++;
                    seen.add(response.statusCode());
                    boolean json = response.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
                    if (response.statusCode() == 503 && json && response.headers().firstValue("Retry-After").isPresent()) {
                        unavailable++;
                    } else if (response.statusCode() >= 500) {
                        errors++;
                    }
                }
                ServerProcesses.pause(Duration.ofMillis(500));
            }
        } finally {
            servers.startPostgres();
        }
        long restarted = System.nanoTime();
        boolean recovered = Probes.await(Duration.ofSeconds(60), () -> {
            for (String api : apis) {
                if (probes.get(api + "/api/calls", acme.token()).statusCode() != 200) {
                    return false;
                }
            }
            return true;
        });
        double recovery = (System.nanoTime() - restarted) / 1e9;
        boolean jobsDone = Probes.await(Duration.ofSeconds(120), () -> inFlight.stream().allMatch(c -> "ready".equals(probes.status(c))));
        boolean passed = downloading && unavailable > 0 && errors == 0 && slowestMillis <= 5000 && recovered && jobsDone;
        TABLE.add("5. PostgreSQL stopped for " + POSTGRES_OUTAGE.toSeconds() + " s", passed, String.format(
                "downloading at the stop=%s answers=%d 503+Retry-After=%d other 5xx=%d statuses=%s slowest=%d ms, "
                        + "recovered in %.1f s, in-flight jobs ready=%s", downloading, answers, unavailable, errors, seen,
                slowestMillis, recovery, jobsDone));
        assertTrue(passed, "503 JSON with Retry-After meanwhile, recovery without restart, no job lost");
    }

    @Test
    @Order(6)
    void longPollOnTheOtherReplicaAnswersPromptly() throws Exception {
        // After scenarios 4 and 5 this also shows that the apis listen again after Redis restarted.
        List<Long> latencies = new ArrayList<>();
        boolean allReady = true;
        for (int i = 0; i < 6; i++) {
            Call call = fixtures.call(harbor, "{\"latency_ms\":800,\"size_bytes\":100000}");
            HttpResponse<String> played = probes.get(apis[0] + "/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true",
                    harbor.token());
            HttpResponse<String> polled = probes.get(apis[1] + "/api/recordings/" + call.callSid() + "/status?wait=20", harbor.token());
            java.time.Instant answered = java.time.Instant.now();
            allReady &= played.statusCode() == 202 && polled.body().contains("\"status\":\"ready\"");
            if (i > 0) {
                latencies.add(Duration.between(readyAt(call), answered).toMillis());
            }
        }
        long worst = latencies.stream().mapToLong(Long::longValue).max().orElse(Long.MAX_VALUE);
        boolean passed = allReady && worst <= LONG_POLL_LIMIT_MILLIS;
        TABLE.add("6. long-poll on the other api replica", passed, String.format(
                "after a warm-up, 5 plays on api-1, long-polls on api-2: answered %s ms after ready (limit %d)",
                latencies, LONG_POLL_LIMIT_MILLIS));
        assertTrue(passed, "long-poll answers within " + LONG_POLL_LIMIT_MILLIS + " ms on every replica");
    }

    @Test
    @Order(7)
    void prefetchesAndPlaysShareTheSlotsAndFetchEachRecordingOnce() throws Exception {
        Business cedar = fixtures.business("Cedar e2e");
        String slow = "{\"latency_ms\":300,\"bytes_per_second\":200000,\"size_bytes\":400000}";
        List<Call> cold = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            cold.add(fixtures.call(cedar, slow));
        }
        fixtures.resetSimulatorStats();
        fixtures.prefetch(cedar, 24);
        List<Call> prefetched = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            prefetched.add(fixtures.call(cedar, slow));
        }
        // Plays of the 6 cold recordings and of the 10 newest prefetches (still waiting: they are promoted),
        // each twice, over both apis.
        List<Call> played = new ArrayList<>(cold);
        played.addAll(prefetched.subList(20, 30));
        List<Integer> statuses = probes.playConcurrently(played, played.size() * 2);
        List<Call> all = new ArrayList<>(cold);
        all.addAll(prefetched);
        AtomicInteger backgroundRunning = new AtomicInteger();
        boolean ready = Probes.await(Duration.ofSeconds(120), () -> {
            backgroundRunning.accumulateAndGet(fixtures.count(
                    "select count(*) from recording_runs where business_id = ? and status = ? and lane = ?", cedar.id(),
                    RunStatus.RUNNING.wire(), Lane.BACKGROUND.wire()), Math::max);
            return all.stream().allMatch(c -> "ready".equals(probes.status(c)));
        });
        JsonNode providerStats = fixtures.simulatorStats();
        int maxInFlight = providerStats.path("max_in_flight_by_account").path(cedar.accountSid()).asInt(-1);
        List<String> atMax = new ArrayList<>();
        providerStats.path("in_flight_at_max_by_account").path(cedar.accountSid()).forEach(sid -> atMax.add(sid.asText()));
        long fetchedOnce = all.stream().filter(c -> fixtures.providerFetches(c) == 1).count();
        int runs = fixtures.count("select count(*) from recording_runs where business_id = ?", cedar.id());
        int promoted = fixtures.count("select count(*) from recording_runs where business_id = ? and lane = ?", cedar.id(),
                Lane.INTERACTIVE.wire()) - cold.size();
        boolean passed = Set.of(200, 202).containsAll(statuses) && ready && maxInFlight > 0 && maxInFlight <= 3
                && backgroundRunning.get() <= 2 && fetchedOnce == all.size() && runs == all.size() && promoted > 0;
        TABLE.add("7. 30 prefetches and 16 Plays (10 promoted), limit 3", passed, String.format(
                "max in flight at the provider=%d (limit 3), most prefetches running at once=%d (limit 2), fetched once=%d/%d, "
                        + "runs=%d, promoted=%d, answers=%s, all ready=%s", maxInFlight, backgroundRunning.get(), fetchedOnce,
                all.size(), runs, promoted, Set.copyOf(statuses), ready));
        assertTrue(passed, "the slot limit holds across lanes, promotions included, and each recording is fetched once; "
                + "the runs of the recordings in flight at the provider's maximum: " + runsOfRecordings(cedar, atMax));
    }

    @Test
    @Order(8)
    void aHundredListenersOfARecordingStillDownloadingGetItWholeFromOneFetch() throws Exception {
        Business dune = fixtures.business("Dune e2e");
        Call call = fixtures.call(dune, "{\"latency_ms\":300,\"bytes_per_second\":1000000,\"duration_seconds\":3600}");
        int played = probes.get(apis[0] + "/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true",
                dune.token()).statusCode();
        HttpResponse<String> playable = probes.get(apis[1] + "/api/recordings/" + call.callSid() + "/status?wait=20&live=true",
                dune.token());
        String liveUrl = JSON.readTree(playable.body()).path("live_stream_url").asText(null);
        List<Probes.Listener> listeners = new ArrayList<>();
        if (liveUrl != null) {
            ExecutorService pool = Executors.newFixedThreadPool(LISTENERS);
            try {
                List<CompletableFuture<Probes.Listener>> listening = new ArrayList<>();
                for (int i = 0; i < LISTENERS; i++) {
                    URI url = URI.create(apis[i % apis.length]).resolve(liveUrl);
                    listening.add(CompletableFuture.supplyAsync(() -> probes.listen(url, call), pool));
                }
                for (CompletableFuture<Probes.Listener> listener : listening) {
                    listeners.add(listener.join());
                }
            } finally {
                pool.shutdownNow();
            }
        }
        boolean ready = Probes.await(Duration.ofSeconds(30), () -> "ready".equals(probes.status(call)));
        String stored = ready ? probes.storedDigest(call) : null;
        long identical = listeners.stream().filter(l -> l.status() == 200 && l.digest().equals(stored)).count();
        long firstBytesBeforeReady = listeners.stream().filter(Probes.Listener::firstBytesWhileDownloading).count();
        int fetches = fixtures.providerFetches(call);
        boolean passed = played == 202 && liveUrl != null && ready && identical == LISTENERS
                && firstBytesBeforeReady == LISTENERS && fetches == 1;
        TABLE.add("8. " + LISTENERS + " listeners of a 60-minute recording while it downloads, over 2 apis", passed,
                String.format("Play=%d, live URL from the other api=%s, listeners with bytes identical to the stored file=%d/%d, "
                                + "first bytes while it downloaded=%d/%d, provider fetches=%d, ready=%s", played,
                        liveUrl != null, identical, LISTENERS, firstBytesBeforeReady, LISTENERS, fetches, ready));
        assertTrue(passed, "every listener gets the whole recording while it downloads, from one provider fetch");
    }

    @Test
    @Order(9)
    void evictionKeepsTheStoredBytesUnderTheBudget() throws Exception {
        for (int i = 0; i < workers.length; i++) {
            workers[i].stop(Duration.ofSeconds(15));
            startWorker(i, Map.of("PLAYBACK_RETENTION_BUDGET", Long.toString(EVICTION_BUDGET),
                    "PLAYBACK_RETENTION_PROTECT", EVICTION_PROTECT.toSeconds() + "s", "PLAYBACK_RETENTION_INTERVAL", "1s"));
        }
        // The earlier scenarios left far more than the budget: the evictor trims it at once.
        boolean trimmed = Probes.await(Duration.ofSeconds(30), () -> storedBytes() <= EVICTION_BUDGET);
        long overshoot = 0;
        List<List<Call>> batches = new ArrayList<>();
        for (int batch = 0; batch < 5; batch++) {
            List<Call> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(fixtures.call(harbor, "{\"latency_ms\":100,\"size_bytes\":400000}"));
            }
            batches.add(calls);
            probes.playConcurrently(calls, calls.size());
            Probes.await(Duration.ofSeconds(30), () -> calls.stream().allMatch(c -> "ready".equals(probes.status(c))));
            overshoot = Math.max(overshoot, storedBytes() - EVICTION_BUDGET);
            // Played a moment ago, the batch is protected; once the protection ends the evictor catches up.
            Probes.await(EVICTION_PROTECT.plusSeconds(15), () -> storedBytes() <= EVICTION_BUDGET);
        }
        long stored = storedBytes();
        long onDisk = bytesOnDisk();
        Call oldest = batches.get(0).get(0);
        boolean evicted = "missing".equals(probes.status(oldest));
        probes.playConcurrently(List.of(oldest), 1);
        boolean refetched = Probes.await(Duration.ofSeconds(30), () -> "ready".equals(probes.status(oldest)))
                && fixtures.providerFetches(oldest) == 2;
        boolean passed = trimmed && stored <= EVICTION_BUDGET && onDisk <= EVICTION_BUDGET && evicted && refetched;
        TABLE.add("9. eviction under a " + EVICTION_BUDGET / 1000 + " kB budget", passed, String.format(
                "trimmed the earlier scenarios' recordings=%s, 20 Plays of 400 kB in 5 batches: stored %d bytes (%d on disk), "
                        + "at most %d over the budget while a batch was protected; the oldest evicted=%s and fetched again on "
                        + "its next Play=%s", trimmed, stored, onDisk, Math.max(0, overshoot), evicted, refetched));
        assertTrue(passed, "the evictor keeps the stored bytes under the budget, and an evicted recording comes back");
    }

    // ------------------------------------------------------------------ helpers

    /** The bytes of the recordings ready to serve, as PostgreSQL counts them. */
    private static long storedBytes() {
        return fixtures.count("select coalesce(sum(recording_size_bytes), 0) from call_logs where recording_download_status = ?",
                DownloadStatus.READY.wire());
    }

    /** The bytes the recordings' directory holds. */
    private static long bytesOnDisk() throws IOException {
        try (var files = Files.walk(stack.storage())) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
    }

    private static java.time.Instant readyAt(Call call) throws SQLException {
        try (Connection db = stack.connect();
             PreparedStatement query = db.prepareStatement(
                     "select recording_ready_at from call_logs where business_id = ? and call_sid = ?")) {
            query.setLong(1, call.business().id());
            query.setString(2, call.callSid());
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getTimestamp(1).toInstant();
            }
        }
    }

    private static String activeRunWorker(Call call) {
        try (Connection db = stack.connect();
             PreparedStatement query = db.prepareStatement(
                     "select worker from recording_runs where call_sid = ? and status = 'running'")) {
            query.setString(1, call.callSid());
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("running run of " + call.callSid() + ": " + e.getMessage(), e);
        }
    }

    /** Each run of these recordings: lane, worker, status and when it started and finished (on the PostgreSQL clock). */
    private static String runsOfRecordings(Business business, List<String> recordingSids) {
        try (Connection db = stack.connect();
             PreparedStatement query = db.prepareStatement("""
                     select c.recording_sid, r.id, r.lane, r.worker, r.status, r.started_at, r.finished_at
                     from recording_runs r join call_logs c on c.business_id = r.business_id and c.call_sid = r.call_sid
                     where r.business_id = ? and c.recording_sid = any (?) order by r.started_at""")) {
            query.setLong(1, business.id());
            query.setArray(2, db.createArrayOf("text", recordingSids.toArray()));
            List<String> runs = new ArrayList<>();
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    runs.add(String.format("%s run %d %s on %s: %s %s..%s", row.getString(1), row.getLong(2), row.getString(3),
                            row.getString(4), row.getString(5), row.getTimestamp(6), row.getTimestamp(7)));
                }
            }
            return runs.toString();
        } catch (SQLException e) {
            return "(not read: " + e.getMessage() + ")";
        }
    }

    private static int runs(Call call) {
        return fixtures.count("select count(*) from recording_runs where call_sid = ?", call.callSid());
    }

}
