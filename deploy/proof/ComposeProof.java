import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The container deployment's guarantees, proven against docker-compose.yml run by a real container
 * engine: one fetch per recording, per-business slots, no job lost when workers come and go as
 * containers (killed, stopped, scaled) or the whole deployment goes down and up again. Started by
 * deploy/prove.sh once the images are built; it brings the demo and monitoring profiles up itself, drives
 * everything through the ports published on 127.0.0.1 (the api's, the simulator's control endpoints,
 * Prometheus's query API) and the compose CLI, and prints one table. Recordings are kept in the deployment's object store (the objectstore
 * service, S3): scenario 1 looks for the object in its bucket. Needs a JDK only (java ComposeProof.java).
 *
 * Environment (deploy/prove.sh sets it): PROOF_COMPOSE (the compose command, e.g. "docker compose"),
 * PROOF_ENGINE (docker or podman), COMPOSE_PROJECT_NAME, API_PORT, SIM_PORT, PROMETHEUS_PORT,
 * PLAYBACK_SLOTS_LEASE, PLAYBACK_SLOTS_PER_BUSINESS, PROOF_LOG_DIR; PROOF_SCENARIOS (e.g. "1,7") runs only
 * those scenarios (3 to 6 need 2's businesses, 5 needs 1's recording).
 */
public final class ComposeProof {

    /** The demo's provider token (docker-compose.yml, demo-settings): the key of webhook signatures. */
    private static final String PROVIDER_AUTH_TOKEN = "dev-provider-auth-token";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(32)).build();
    private static final ExecutorService PARALLEL = Executors.newFixedThreadPool(8);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String FAST = "{\"latency_ms\":1000,\"size_bytes\":100000}";
    /**
     * Generous: a service is healthy in seconds, but podman 4.3's DNS (aardvark) has been seen to leave a
     * container just started beside others without name resolution for a minute; the services retry
     * until it answers.
     */
    private static final Duration HEALTHY_WITHIN = Duration.ofSeconds(180);
    private static final int SCENARIOS = 8;

    private final List<String> compose;
    private final String engine;
    private final String project;
    private final String api;
    private final String simulator;
    private final String prometheus;
    private final Set<Integer> selected;
    private final Duration lease;
    private final int slots;
    private final Path logDir;
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, String> startup = new LinkedHashMap<>();
    private List<Business> backlogBusinesses;
    private Played cold;

    record Row(String scenario, boolean passed, String figures) {
    }

    record Result(boolean passed, String figures) {
    }

    record Business(long id, String accountSid, String token) {
    }

    record Call(Business business, String callSid, String recordingSid) {
    }

    /** Scenario 1's recording, played again after the deployment went down and up. */
    record Played(Call call, String streamUrl, byte[] body) {
    }

    interface Scenario {
        Result run() throws Exception;
    }

    private ComposeProof(Map<String, String> env) {
        List<String> command = new ArrayList<>(Arrays.asList(env.getOrDefault("PROOF_COMPOSE", "docker compose").split(" +")));
        command.addAll(List.of("--profile", "demo", "--profile", "monitoring"));
        this.compose = List.copyOf(command);
        this.engine = env.getOrDefault("PROOF_ENGINE", "docker");
        this.project = env.getOrDefault("COMPOSE_PROJECT_NAME", "playback-proof");
        this.api = "http://127.0.0.1:" + env.getOrDefault("API_PORT", "18080");
        this.simulator = "http://127.0.0.1:" + env.getOrDefault("SIM_PORT", "18089");
        this.prometheus = "http://127.0.0.1:" + env.getOrDefault("PROMETHEUS_PORT", "19090");
        this.selected = Arrays.stream(env.getOrDefault("PROOF_SCENARIOS", "").split("[ ,]+"))
                .filter(number -> !number.isEmpty()).map(Integer::valueOf).collect(Collectors.toCollection(TreeSet::new));
        this.lease = Duration.ofSeconds(Long.parseLong(env.getOrDefault("PLAYBACK_SLOTS_LEASE", "10s").replace("s", "")));
        this.slots = Integer.parseInt(env.getOrDefault("PLAYBACK_SLOTS_PER_BUSINESS", "3"));
        this.logDir = Path.of(env.getOrDefault("PROOF_LOG_DIR", "target/compose-proof"));
    }

    public static void main(String[] args) throws Exception {
        ComposeProof proof = new ComposeProof(System.getenv());
        Files.createDirectories(proof.logDir);
        boolean passed = proof.runAll();
        HTTP.executor().ifPresent(executor -> ((ExecutorService) executor).shutdownNow());
        PARALLEL.shutdownNow();
        System.exit(passed ? 0 : 1);
    }

    private boolean runAll() {
        try {
            start();
        } catch (Exception e) {
            rows.add(new Row("0. the demo and monitoring profiles come up", false, e.getMessage()));
            return report();
        }
        scenario("1. cold recording end to end", this::coldPlay);
        scenario("2. backlog, 1 worker vs 3", this::scaleRatio);
        scenario("3. kill -9 a worker mid-download", this::killWorker);
        scenario("4. docker stop (SIGTERM) a worker mid-download", this::stopWorker);
        scenario("5. down (volumes kept) and up again", this::downAndUp);
        scenario("6. scale workers 3 -> 1 -> 3 while a backlog drains", this::scaleDownAndUp);
        scenario("7. Prometheus finds the api and all 3 workers by DNS", this::monitoring);
        scenario("8. a recording plays while it downloads, relayed from its worker's container", this::liveWhileDownloading);
        return report();
    }

    private void scenario(String name, Scenario scenario) {
        if (!selected.isEmpty() && !selected.contains(Integer.valueOf(name.substring(0, name.indexOf('.'))))) {
            return;
        }
        long started = System.nanoTime();
        System.out.printf("%n--- %s%n", name);
        Result result;
        try {
            result = scenario.run();
        } catch (Exception | AssertionError e) {
            result = new Result(false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        System.out.printf("%s (%.0f s): %s%n", result.passed() ? "PASS" : "FAIL", (System.nanoTime() - started) / 1e9,
                result.figures());
        rows.add(new Row(name, result.passed(), result.figures()));
    }

    private boolean report() {
        int width = rows.stream().mapToInt(row -> row.scenario().length()).max().orElse(10);
        String format = "| %-" + width + "s | %-4s | %s%n";
        StringBuilder out = new StringBuilder("\n");
        startup.forEach((what, figure) -> out.append(String.format("%-28s %s%n", what + ":", figure)));
        out.append("\n").append(String.format(format, "scenario", "pass", "figures"));
        out.append("|").append("-".repeat(width + 2)).append("|------|").append("-".repeat(60)).append("\n");
        for (Row row : rows) {
            out.append(String.format(format, row.scenario(), row.passed() ? "PASS" : "FAIL", row.figures()));
        }
        long passed = rows.stream().filter(Row::passed).count();
        out.append(String.format("%nproof: %d passed, %d failed%n", passed, rows.size() - passed));
        System.out.print(out);
        try {
            Files.writeString(logDir.resolve("table.txt"), out.toString());
        } catch (IOException e) {
            System.err.println("could not write the table: " + e.getMessage());
        }
        return passed == rows.size() && rows.size() == (selected.isEmpty() ? SCENARIOS : selected.size());
    }

    // ------------------------------------------------------------------ start

    private void start() throws Exception {
        System.out.println("--- bringing the demo and monitoring profiles up (1 worker)");
        long started = System.nanoTime();
        compose(Duration.ofMinutes(5), "up", "-d", "--scale", "worker=1");
        awaitHealthy("api", 1, HEALTHY_WITHIN);
        double apiSeconds = (System.nanoTime() - started) / 1e9;
        awaitHealthy("worker", 1, HEALTHY_WITHIN);
        boolean loaded = await(HEALTHY_WITHIN, () -> {
            List<String> ids = containers("demo-data", true);
            return !ids.isEmpty() && inspect(ids.get(0), "{{.State.Status}} {{.State.ExitCode}}").equals("exited 0");
        });
        if (!loaded) {
            throw new IllegalStateException("the demo data was not loaded (see " + logDir + ")");
        }
        startup.put("stack up, first start", String.format("%.1f s to the api healthy (postgres, redis and "
                        + "objectstore healthy, schema migrated), %.1f s to the demo loaded", apiSeconds,
                (System.nanoTime() - started) / 1e9));
        awaitHealthy("prometheus", 1, HEALTHY_WITHIN);
        startup.put("quarkus start (in-process)", "api " + startedIn("api") + ", worker " + startedIn("worker"));
    }

    /** The "started in" figure Quarkus logs, from the first container of the service. */
    private String startedIn(String service) {
        try {
            String logs = compose(Duration.ofSeconds(30), "logs", "--no-color", service);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("started in ([0-9.]+)s").matcher(logs);
            return m.find() ? m.group(1) + " s" : "?";
        } catch (Exception e) {
            return "?";
        }
    }

    // ------------------------------------------------------------------ scenarios

    /** 1. A cold recording of the demo: 202, then ready, then a 206 Range answer of the right bytes. */
    private Result coldPlay() throws Exception {
        Map<String, Object> acme = list(json(get(api + "/api/dev/businesses", null).body())).get(0);
        Business business = new Business(number(acme.get("id")), (String) acme.get("account_sid"),
                token(number(acme.get("id"))));
        Map<String, Object> item = list(map(json(get(api + "/api/calls?limit=1", business.token()).body())).get("items")).get(0);
        Map<String, Object> recording = map(item.get("recording"));
        Call call = new Call(business, (String) item.get("call_sid"), (String) recording.get("recording_sid"));
        String before = (String) recording.get("status");
        long started = System.nanoTime();
        HttpResponse<String> played = play(call);
        String retryAfter = played.headers().firstValue("Retry-After").orElse("none");
        Map<String, Object> status = map(json(get(api + "/api/recordings/" + call.callSid() + "/status?wait=30",
                business.token()).body()));
        double readySeconds = (System.nanoTime() - started) / 1e9;
        String streamUrl = (String) status.get("stream_url");
        check("ready".equals(status.get("status")) && streamUrl != null, "not ready after 30 s: " + status);
        long size = number(status.get("size_bytes"));
        HttpResponse<byte[]> whole = getBytes(api + streamUrl, null);
        HttpResponse<byte[]> range = getBytes(api + streamUrl, "bytes=1000-4999");
        byte[] body = whole.body();
        boolean mp3 = body.length > 2 && ((body[0] & 0xFF) == 0xFF && (body[1] & 0xE0) == 0xE0
                || new String(body, 0, 3, StandardCharsets.ISO_8859_1).equals("ID3"));
        boolean sameBytes = Arrays.equals(range.body(), Arrays.copyOfRange(body, 1000, 5000));
        String contentRange = range.headers().firstValue("Content-Range").orElse("none");
        int fetches = fetches(call);
        cold = new Played(call, streamUrl, body);
        List<String> stored = storedObjects(call);
        boolean inBucket = stored.size() == 1 && stored.get(0).startsWith(size + " ");
        List<String> sharedDisks = recordingsMounts();
        boolean passed = "missing".equals(before) && played.statusCode() == 202 && whole.statusCode() == 200
                && body.length == size && mp3 && range.statusCode() == 206 && sameBytes
                && contentRange.equals("bytes 1000-4999/" + size) && fetches == 1 && inBucket && sharedDisks.isEmpty();
        return new Result(passed, String.format("%s -> %d (Retry-After %s), ready after %.1f s; %d %s bytes %s; "
                        + "Range 1000-4999: %d, Content-Range %s, bytes match=%s; fetches=%d; in the object store's "
                        + "bucket: %s; recordings volumes on api or worker: %s", before,
                played.statusCode(), retryAfter, readySeconds, whole.statusCode(),
                whole.headers().firstValue("Content-Type").orElse("?"), size, range.statusCode(), contentRange,
                sameBytes, fetches, stored.isEmpty() ? "none" : String.join(", ", stored),
                sharedDisks.isEmpty() ? "none" : String.join(", ", sharedDisks)));
    }

    /**
     * 8. Play while it downloads across containers: the worker receiving a slow recording announces its
     * own address on the compose network (nothing configured), the api relays its bytes to a listener of
     * the live_stream_url before the download ends, and they are the stored recording, byte for byte.
     */
    private Result liveWhileDownloading() throws Exception {
        Business business = businesses("Live", 1).get(0);
        Call call = call(business, "{\"latency_ms\":300,\"bytes_per_second\":200000,\"size_bytes\":2000000}");
        HttpResponse<String> played = play(call);
        Map<String, Object> playable = map(json(get(api + "/api/recordings/" + call.callSid() + "/status?wait=30&live=true",
                business.token()).body()));
        String liveUrl = (String) playable.get("live_stream_url");
        check(liveUrl != null, "no live_stream_url within 30 s: " + playable);
        String announced = sql("select live_url from recording_runs where call_sid = '" + call.callSid()
                + "' and status = 'running'");
        HttpResponse<InputStream> live = send(HttpRequest.newBuilder(URI.create(api + liveUrl))
                .timeout(Duration.ofSeconds(40)), HttpResponse.BodyHandlers.ofInputStream());
        byte[] heard;
        Object statusWhileHearing;
        try (InputStream body = live.body()) {
            byte[] first = body.readNBytes(1000);
            statusWhileHearing = map(json(get(api + "/api/recordings/" + call.callSid() + "/status", business.token())
                    .body())).get("status");
            byte[] rest = body.readAllBytes();
            heard = Arrays.copyOf(first, first.length + rest.length);
            System.arraycopy(rest, 0, heard, first.length, rest.length);
        }
        Map<String, Object> ready = map(json(get(api + "/api/recordings/" + call.callSid() + "/status?wait=30",
                business.token()).body()));
        String streamUrl = (String) ready.get("stream_url");
        check(streamUrl != null, "not ready after 30 s: " + ready);
        byte[] stored = getBytes(api + streamUrl, null).body();
        boolean fromItsContainer = announced.matches("http://\\d+\\.\\d+\\.\\d+\\.\\d+:8081/internal/live/\\d+");
        boolean same = Arrays.equals(heard, stored) && heard.length == 2_000_000;
        int firstDifference = Arrays.mismatch(heard, stored);
        int fetches = fetches(call);
        boolean passed = played.statusCode() == 202 && "downloading".equals(playable.get("status")) && fromItsContainer
                && live.statusCode() == 200 && "downloading".equals(statusWhileHearing) && same && fetches == 1;
        return new Result(passed, String.format("Play %d; live=true long-poll: %s with live_stream_url; the worker announced %s; "
                        + "the listener: %d, status when its first 1000 bytes came: %s, %d bytes, equal to the stored recording "
                        + "(%d bytes)=%s%s; fetches=%d", played.statusCode(), playable.get("status"), announced, live.statusCode(),
                statusWhileHearing, heard.length, stored.length, same,
                same ? "" : " (first difference at byte " + firstDifference + ")", fetches));
    }

    /**
     * The call's objects in the bucket, as "size key", read from the objectstore container: its blob store
     * keeps a bucket as a directory, an object as a file named by its key (business/callSid.ext).
     */
    private List<String> storedObjects(Call call) throws IOException, InterruptedException {
        String listing = compose(Duration.ofSeconds(30), "exec", "-T", "objectstore", "sh", "-c",
                "cd \"$JCLOUDS_FILESYSTEM_BASEDIR/$BUCKET\" && find . -type f -name \"$0.*\" -printf '%s %P\\n'",
                call.callSid());
        return listing.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    /** Mounts of the api's and the workers' containers that hold recordings: none, with the object store. */
    private List<String> recordingsMounts() {
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

    /**
     * 2. 10 businesses x 12 recordings, 3 slots per business, the provider answering after 1 s: drained by
     * 1 worker, then by 3; every recording fetched once, never more than the slots in flight per account.
     * Throughput of warm workers: each drain follows a warm-up of 20 recordings. A new worker's first jobs
     * (its first uploads: the S3 client's code loaded and compiled) take CPU that, on a small machine,
     * would otherwise count against the drain of the two workers just started (2.3x instead of 2.6x).
     */
    private Result scaleRatio() throws Exception {
        backlogBusinesses = businesses("Backlog", 10);
        scale(1);
        Drain warmOne = drain(calls(backlogBusinesses, 2, FAST));
        Drain one = drain(calls(backlogBusinesses, 12, FAST));
        long scaling = System.nanoTime();
        scale(3);
        startup.put("workers 1 -> 3", String.format("%.1f s from --scale worker=3 to both new workers healthy",
                (System.nanoTime() - scaling) / 1e9));
        Drain warmThree = drain(calls(backlogBusinesses, 2, FAST));
        Drain three = drain(calls(backlogBusinesses, 12, FAST));
        double ratio = one.seconds() / three.seconds();
        boolean passed = warmOne.ok() && one.ok() && warmThree.ok() && three.ok() && ratio >= 2.4;
        startup.put("scale ratio", String.format("%.2fx (1 worker %.1f s, 3 workers %.1f s; warm-ups of 20: %.1f s, "
                + "%.1f s)", ratio, one.seconds(), three.seconds(), warmOne.seconds(), warmThree.seconds()));
        return new Result(passed, String.format("120 recordings (10 businesses x 12, %d slots each, provider 1 s, "
                        + "%s downloads per worker), each drain after a warm-up of 20: 1 worker %.1f s (warm-up "
                        + "%.1f s), 3 workers %.1f s (warm-up %.1f s), ratio %.2fx (>= 2.4); %s; %s",
                slots, System.getenv().getOrDefault("PLAYBACK_WORKER_CONCURRENCY", "8"), one.seconds(),
                warmOne.seconds(), three.seconds(), warmThree.seconds(), ratio, one.figures(), three.figures()));
    }

    record Drain(boolean ok, double seconds, String figures) {
    }

    /** Plays every call (in the order given), waits until all are ready, and checks fetches and slots. */
    private Drain drain(List<Call> calls) throws Exception {
        post(simulator + "/sim/reset?keep_scripts=true", "");
        Instant started = Instant.now();
        for (Call call : calls) {
            check(play(call).statusCode() == 202, "a play was not answered 202");
        }
        boolean ready = awaitStatus(calls, "ready", Duration.ofSeconds(180));
        double seconds = lastReadyAt(calls) - started.toEpochMilli() / 1000.0;
        Map<String, Object> stats = map(json(get(simulator + "/sim/stats", null).body()));
        Map<String, Object> fetches = map(stats.get("fetches"));
        long fetchedOnce = calls.stream().filter(c -> number(fetches.getOrDefault(c.recordingSid(), 0L)) == 1).count();
        Map<String, Object> maxByAccount = map(stats.get("max_in_flight_by_account"));
        long maxInFlight = calls.stream().map(c -> c.business().accountSid()).distinct()
                .mapToLong(account -> number(maxByAccount.getOrDefault(account, 0L))).max().orElse(0);
        boolean ok = ready && fetchedOnce == calls.size() && maxInFlight <= slots && maxInFlight > 0;
        return new Drain(ok, seconds, String.format("%d workers: fetched once %d/%d, max in flight per account %d "
                + "(limit %d)", containers("worker", false).size(), fetchedOnce, calls.size(), maxInFlight, slots));
    }

    /** 3. SIGKILL the worker that holds a download: another worker finishes it within lease + 10 s. */
    private Result killWorker() throws Exception {
        scale(3);
        Business business = backlogBusinesses.get(0);
        Call call = call(business, "{\"bytes_per_second\":100000,\"size_bytes\":3000000}");
        check(play(call).statusCode() == 202, "the play was not answered 202");
        check(awaitStatus(List.of(call), "downloading", Duration.ofSeconds(30)), "never downloading");
        String holder = sql("select worker from recording_runs where call_sid = '" + call.callSid()
                + "' and status = 'running'");
        String victim = containerOf(holder);
        engine(Duration.ofSeconds(30), "kill", "-s", "KILL", victim);
        long killed = System.nanoTime();
        // The retry need not crawl: the provider is fast again.
        post(simulator + "/sim/recordings/" + call.recordingSid(), "{\"size_bytes\":3000000}");
        boolean ready = awaitStatus(List.of(call), "ready", lease.plusSeconds(60));
        double recovery = (System.nanoTime() - killed) / 1e9;
        String finisher = sql("select worker from recording_runs where call_sid = '" + call.callSid()
                + "' and status = 'succeeded'");
        long slotsLeft = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && (slotsLeft = slotsTaken(business)) != 0) {
            pause(250);
        }
        String running = sql("select count(*) from recording_runs where call_sid = '" + call.callSid()
                + "' and status = 'running'");
        long limit = lease.toSeconds() + 10;
        boolean passed = ready && recovery <= limit && !finisher.equals(holder) && slotsLeft == 0 && running.equals("0");
        scale(3);
        return new Result(passed, String.format("killed %s (container %s) mid-download; ready %.1f s later on %s "
                        + "(limit: lease %d s + 10 s = %d s); slots left %d, runs running %s", holder, shortId(victim),
                recovery, finisher, lease.toSeconds(), limit, slotsLeft, running));
    }

    /**
     * 4. SIGTERM the worker holding the most downloads: the ones that end within its grace period are
     * stored by it, the others are handed back and finished by the other workers; it exits by itself
     * before the stop_grace_period, nothing is lost and each recording is stored by exactly one run.
     */
    private Result stopWorker() throws Exception {
        scale(3);
        List<Call> calls = new ArrayList<>();
        Set<String> longOnes = new LinkedHashSet<>();
        for (Business business : backlogBusinesses.subList(0, 6)) {
            calls.add(call(business, "{\"bytes_per_second\":100000,\"size_bytes\":900000}"));
            Call slow = call(business, "{\"bytes_per_second\":100000,\"size_bytes\":2500000}");
            calls.add(slow);
            longOnes.add(slow.callSid());
        }
        post(simulator + "/sim/reset?keep_scripts=true", "");
        for (Call call : calls) {
            check(play(call).statusCode() == 202, "a play was not answered 202");
        }
        check(awaitStatus(calls, "downloading", Duration.ofSeconds(30)), "not all downloading");
        Map<String, String> holders = new TreeMap<>();
        for (String line : sql("select call_sid, worker from recording_runs where status = 'running' and call_sid in ("
                + quoted(calls) + ")").split("\n")) {
            String[] parts = line.split("\\|");
            holders.put(parts[0], parts[1]);
        }
        String victimWorker = holders.values().stream()
                .collect(Collectors.groupingBy(w -> w, Collectors.counting())).entrySet().stream()
                .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        Set<String> held = holders.entrySet().stream().filter(e -> e.getValue().equals(victimWorker))
                .map(Map.Entry::getKey).collect(Collectors.toCollection(LinkedHashSet::new));
        String victim = containerOf(victimWorker);
        long stopping = System.nanoTime();
        engine(Duration.ofSeconds(120), "stop", victim);
        double stopSeconds = (System.nanoTime() - stopping) / 1e9;
        String exitCode = inspect(victim, "{{.State.ExitCode}}");
        String logs = engine(Duration.ofSeconds(30), "logs", victim);
        long handedBackLogged = logs.lines().filter(line -> line.contains("handed run") && line.contains("back")).count();
        boolean ready = awaitStatus(calls, "ready", Duration.ofSeconds(120));
        Map<String, String> storedBy = new TreeMap<>();
        for (String line : sql("select call_sid, worker from recording_runs where status = 'succeeded' and call_sid in ("
                + quoted(calls) + ")").split("\n")) {
            String[] parts = line.split("\\|");
            storedBy.merge(parts[0], parts[1], (a, b) -> a + "," + b);
        }
        String runs = sql("select count(*), count(*) filter (where status = 'succeeded'), "
                + "count(*) filter (where status = 'failed') from recording_runs where call_sid in (" + quoted(calls) + ")");
        Map<String, Object> fetches = map(map(json(get(simulator + "/sim/stats", null).body())).get("fetches"));
        long finishedInGrace = held.stream().filter(c -> victimWorker.equals(storedBy.get(c))).count();
        long handedBack = held.size() - finishedInGrace;
        boolean finishedOnesOnce = held.stream().filter(c -> victimWorker.equals(storedBy.get(c)))
                .allMatch(c -> number(fetches.getOrDefault(recordingOf(calls, c), 0L)) == 1);
        boolean oneStoreEach = calls.stream().allMatch(c -> storedBy.getOrDefault(c.callSid(), "").split(",").length == 1
                && !storedBy.getOrDefault(c.callSid(), "").isEmpty());
        String expectedRuns = calls.size() + "|" + calls.size() + "|0";
        boolean passed = !held.isEmpty() && stopSeconds < 40 && !exitCode.equals("137") && ready && oneStoreEach
                && runs.equals(expectedRuns) && finishedOnesOnce && handedBackLogged == handedBack;
        scale(3);
        return new Result(passed, String.format("SIGTERM to %s holding %d downloads (%d longer than its 10 s grace): "
                        + "exited by itself after %.1f s (exit %s, stop_grace_period 40 s); %d finished and stored "
                        + "during the grace (fetched once), %d handed back (logged %d) and finished elsewhere; "
                        + "all %d ready=%s; runs total|succeeded|failed = %s; one stored download per recording=%s",
                shortId(victim), held.size(), held.stream().filter(longOnes::contains).count(), stopSeconds, exitCode,
                finishedInGrace, handedBack, handedBackLogged, calls.size(), ready, runs.replace('|', '/'),
                oneStoreEach));
    }

    /**
     * 5. The deployment goes down (volumes kept) while a backlog is queued, and up again: what was ready
     * is still ready and served (the same bytes, on the URL signed before), the queued work resumes.
     */
    private Result downAndUp() throws Exception {
        check(cold != null, "scenario 1 did not leave a ready recording");
        scale(1);
        List<Call> calls = calls(backlogBusinesses.subList(0, 4), 8, "{\"latency_ms\":2000,\"size_bytes\":100000}");
        for (Call call : calls) {
            check(play(call).statusCode() == 202, "a play was not answered 202");
        }
        await(Duration.ofSeconds(30), () -> count(statuses(calls), "ready") >= 4);
        Map<String, String> before = statuses(calls);
        long down = System.nanoTime();
        compose(Duration.ofMinutes(3), "down");
        double downSeconds = (System.nanoTime() - down) / 1e9;
        long up = System.nanoTime();
        compose(Duration.ofMinutes(5), "up", "-d", "--scale", "worker=1");
        awaitHealthy("api", 1, HEALTHY_WITHIN);
        double apiSeconds = (System.nanoTime() - up) / 1e9;
        scale(3);
        startup.put("stack up, with data", String.format("%.1f s to the api healthy, %.1f s to 3 workers healthy",
                apiSeconds, (System.nanoTime() - up) / 1e9));
        HttpResponse<byte[]> range = getBytes(api + cold.streamUrl(), "bytes=1000-4999");
        HttpResponse<byte[]> whole = getBytes(api + cold.streamUrl(), null);
        boolean served = range.statusCode() == 206 && Arrays.equals(range.body(), Arrays.copyOfRange(cold.body(), 1000, 5000))
                && whole.statusCode() == 200 && Arrays.equals(whole.body(), cold.body());
        boolean resumed = awaitStatus(calls, "ready", Duration.ofSeconds(120));
        double resumeSeconds = (System.nanoTime() - up) / 1e9;
        Map<String, Object> fetches = map(map(json(get(simulator + "/sim/stats", null).body())).get("fetches"));
        List<Call> readyBefore = calls.stream().filter(c -> "ready".equals(before.get(c.callSid()))).toList();
        boolean readyNotFetchedAgain = readyBefore.stream()
                .allMatch(c -> number(fetches.getOrDefault(c.recordingSid(), 0L)) == 0);
        String doubleStored = sql("select count(*) from (select call_sid from recording_runs where status = 'succeeded' "
                + "and call_sid in (" + quoted(calls) + ") group by call_sid having count(*) > 1) twice");
        boolean passed = served && resumed && readyNotFetchedAgain && doubleStored.equals("0");
        return new Result(passed, String.format("down with %d ready, %d queued or downloading (down took %.1f s); "
                        + "after up: scenario 1's recording served again on its old signed URL (200 and 206, same "
                        + "bytes)=%s, ready ones not fetched again=%s, all %d ready %.1f s after up=%s, stored twice=%s",
                readyBefore.size(), calls.size() - readyBefore.size(), downSeconds, served, readyNotFetchedAgain,
                calls.size(), resumeSeconds, resumed, doubleStored));
    }

    /** 6. Workers scaled 3 -> 1 -> 3 while 120 recordings drain: none lost, none fetched twice. */
    private Result scaleDownAndUp() throws Exception {
        scale(3);
        List<Call> calls = calls(backlogBusinesses, 12, "{\"latency_ms\":2000,\"size_bytes\":100000}");
        post(simulator + "/sim/reset?keep_scripts=true", "");
        long started = System.nanoTime();
        for (Call call : calls) {
            check(play(call).statusCode() == 202, "a play was not answered 202");
        }
        pause(2000);
        compose(Duration.ofMinutes(3), "up", "-d", "--no-deps", "--scale", "worker=1", "worker");
        long readyAtOne = count(statuses(calls), "ready");
        double downAt = (System.nanoTime() - started) / 1e9;
        pause(1000);
        long readyAtThree = count(statuses(calls), "ready");
        double upAt = (System.nanoTime() - started) / 1e9;
        scale(3);
        boolean ready = awaitStatus(calls, "ready", Duration.ofSeconds(180));
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Object> stats = map(json(get(simulator + "/sim/stats", null).body()));
        Map<String, Object> fetches = map(stats.get("fetches"));
        long fetchedOnce = calls.stream().filter(c -> number(fetches.getOrDefault(c.recordingSid(), 0L)) == 1).count();
        Map<String, Object> maxByAccount = map(stats.get("max_in_flight_by_account"));
        long maxInFlight = backlogBusinesses.stream()
                .mapToLong(b -> number(maxByAccount.getOrDefault(b.accountSid(), 0L))).max().orElse(0);
        String runs = sql("select count(*), count(*) filter (where status = 'succeeded'), "
                + "count(*) filter (where status = 'failed') from recording_runs where call_sid in (" + quoted(calls) + ")");
        boolean passed = ready && fetchedOnce == calls.size() && maxInFlight <= slots
                && runs.equals(calls.size() + "|" + calls.size() + "|0");
        return new Result(passed, String.format("120 recordings (provider 2 s): scaled to 1 at %.1f s (%d ready), "
                        + "back to 3 from %.1f s (%d ready); all ready=%s after %.1f s; fetched once %d/%d; runs "
                        + "total/succeeded/failed %s; max in flight per account %d", downAt, readyAtOne, upAt,
                readyAtThree, ready, seconds, fetchedOnce, calls.size(), runs.replace('|', '/'), maxInFlight));
    }

    /**
     * 7. Prometheus (the monitoring profile) finds its targets by DNS: its active targets of the api and
     * the worker jobs are exactly the running containers' addresses (the workers as scenario 6 left them,
     * scaled 3 -> 1 -> 3: new containers, new addresses), every one `up`; and what a Play moves is
     * scraped: the api's request count of the stream endpoint, and a counter of the worker that downloaded
     * the recording, from that worker's own target.
     */
    private Result monitoring() throws Exception {
        scale(3);
        Set<String> workers = addresses("worker");
        Set<String> apis = addresses("api");
        long discovering = System.nanoTime();
        boolean discovered = await(Duration.ofSeconds(60),
                () -> targets("worker").equals(up(workers)) && targets("api").equals(up(apis)));
        double discoverySeconds = (System.nanoTime() - discovering) / 1e9;
        Map<String, String> workerTargets = targets("worker");
        Map<String, String> apiTargets = targets("api");
        // Of the running containers: a series of a target that was gone before Prometheus restarted (scenario
        // 5's down and up) has no staleness marker and stays in the query's 5 minutes of look-back.
        Map<String, String> workersUp = new TreeMap<>(values("up{job=\"worker\",service=\"worker\"}"));
        Map<String, String> apisUp = new TreeMap<>(values("up{job=\"api\",service=\"api\"}"));
        workersUp.keySet().retainAll(workers);
        apisUp.keySet().retainAll(apis);
        boolean allUp = workersUp.keySet().equals(workers) && workersUp.values().stream().allMatch("1"::equals)
                && apisUp.keySet().equals(apis) && apisUp.values().stream().allMatch("1"::equals);
        Files.writeString(logDir.resolve("worker-metric-names.txt"), String.join("\n", metricNames("worker")) + "\n");

        // A Play of a cold recording: the api counts the request, a worker downloads it.
        String workerCounter = "playback_downloads_succeeded_total";
        Business business = businesses("Monitoring", 1).get(0);
        Call call = call(business, FAST);
        String streamRequests = "sum(http_server_requests_seconds_count{job=\"api\",uri=~\".*/stream\"})";
        String counterQuery = "sum by (instance) (" + workerCounter + "{job=\"worker\"})";
        double streamsBefore = total(values(streamRequests));
        Map<String, String> countersBefore = values(counterQuery);
        check(play(call).statusCode() == 202, "the play was not answered 202");
        check(awaitStatus(List.of(call), "ready", Duration.ofSeconds(60)), "the recording was not ready within 60 s");
        String downloader = addressOf(containerOf(sql("select worker from recording_runs where call_sid = '"
                + call.callSid() + "' and status = 'succeeded'")));
        double counterBefore = decimal(countersBefore.getOrDefault(downloader, "0"));
        long scraping = System.nanoTime();
        boolean streamCounted = await(Duration.ofSeconds(30), () -> total(values(streamRequests)) >= streamsBefore + 1);
        boolean workerCounted = await(Duration.ofSeconds(30),
                () -> decimal(values(counterQuery).getOrDefault(downloader, "0")) > counterBefore);
        double scrapedSeconds = (System.nanoTime() - scraping) / 1e9;
        double streamsAfter = total(values(streamRequests));
        double counterAfter = decimal(values(counterQuery).getOrDefault(downloader, "0"));
        boolean passed = discovered && allUp && streamCounted && workerCounted;
        return new Result(passed, String.format("targets by DNS (after %.1f s): worker %s, api %s (running "
                        + "containers: workers %s, api %s); up: %s / %s; a Play: the api's stream requests %.0f -> "
                        + "%.0f, %s of the downloading worker %s %.0f -> %.0f (seen within %.1f s of ready)",
                discoverySeconds, workerTargets, apiTargets, workers, apis, workersUp, apisUp, streamsBefore,
                streamsAfter, workerCounter, downloader, counterBefore, counterAfter, scrapedSeconds));
    }

    /** The addresses of a service's running containers on the compose network. */
    private Set<String> addresses(String service) {
        return containers(service, false).stream().map(this::addressOf).collect(Collectors.toCollection(TreeSet::new));
    }

    private String addressOf(String container) {
        return inspect(container, "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}");
    }

    private static Map<String, String> up(Set<String> addresses) {
        Map<String, String> health = new TreeMap<>();
        addresses.forEach(address -> health.put(address, "up"));
        return health;
    }

    /** Prometheus's active targets of a job, by address: their health (up, down, unknown). */
    private Map<String, String> targets(String job) {
        Map<String, String> health = new TreeMap<>();
        Map<String, Object> data = map(prometheusApi("/api/v1/targets?state=active"));
        for (Map<String, Object> target : list(data.get("activeTargets"))) {
            Map<String, Object> labels = map(target.get("labels"));
            if (job.equals(labels.get("job")) && job.equals(labels.get("service"))) {
                health.put(host((String) labels.get("instance")), (String) target.get("health"));
            }
        }
        return health;
    }

    /** An instant query's samples, by the address of their instance ("" for a series without one). */
    private Map<String, String> values(String query) {
        Map<String, String> values = new TreeMap<>();
        Map<String, Object> data = map(prometheusApi("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)));
        for (Map<String, Object> sample : list(data.get("result"))) {
            Object instance = map(sample.get("metric")).get("instance");
            values.put(instance == null ? "" : host((String) instance), String.valueOf(((List<?>) sample.get("value")).get(1)));
        }
        return values;
    }

    /** The names of the metrics Prometheus has scraped from a job's targets. */
    private Set<String> metricNames(String job) {
        Map<String, Object> answer = map(json(get(prometheus + "/api/v1/label/__name__/values?match[]="
                + URLEncoder.encode("{job=\"" + job + "\"}", StandardCharsets.UTF_8), null).body()));
        check("success".equals(answer.get("status")), "Prometheus: " + answer);
        return ((List<?>) answer.get("data")).stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new));
    }

    private Object prometheusApi(String path) {
        HttpResponse<String> response = get(prometheus + path, null);
        check(response.statusCode() == 200, "Prometheus " + path + ": " + response.statusCode() + " " + response.body());
        return map(json(response.body())).get("data");
    }

    private static double total(Map<String, String> values) {
        return values.values().stream().mapToDouble(Double::parseDouble).sum();
    }

    private static double decimal(String value) {
        return Double.parseDouble(value);
    }

    private static String host(String instance) {
        return instance.substring(0, instance.lastIndexOf(':'));
    }

    // ------------------------------------------------------------------ the deployment

    private String compose(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of(args));
        return run(command, timeout);
    }

    private String engine(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(engine));
        command.addAll(List.of(args));
        return run(command, timeout);
    }

    private String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile(logDir, "command", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean exited = process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
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

    /** The service's containers (ids), running ones only unless all. */
    private List<String> containers(String service, boolean all) {
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

    private String inspect(String container, String format) {
        try {
            return engine(Duration.ofSeconds(30), "inspect", "--format", format, container).strip();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void awaitHealthy(String service, int count, Duration timeout) {
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
    private void scale(int workers) throws IOException, InterruptedException {
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
    private String containerOf(String worker) {
        String host = worker.substring(worker.indexOf('@') + 1, worker.lastIndexOf('-'));
        for (String id : containers("worker", false)) {
            if (inspect(id, "{{.Config.Hostname}}").equals(host)) {
                return id;
            }
        }
        throw new IllegalStateException("no running worker container has host name " + host);
    }

    private String sql(String query) throws IOException, InterruptedException {
        return compose(Duration.ofSeconds(60), "exec", "-T", "postgres", "psql", "-U", "playback", "-d", "playback",
                "-v", "ON_ERROR_STOP=1", "-qAtc", query).strip();
    }

    private long slotsTaken(Business business) {
        try {
            return Long.parseLong(compose(Duration.ofSeconds(30), "exec", "-T", "redis", "redis-cli", "ZCARD",
                    "slots:" + business.id()).strip());
        } catch (IOException | InterruptedException | NumberFormatException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ the product, through its api

    /** New businesses (tenants), each with its own provider sub-account, and a dev token for each. */
    private List<Business> businesses(String name, int count) throws Exception {
        StringBuilder values = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            values.append(i > 1 ? "," : "").append("('").append(name).append(' ').append(i).append("', '")
                    .append(sid("AC")).append("')");
        }
        List<Business> businesses = new ArrayList<>();
        for (String line : sql("insert into businesses (name, account_sid) values " + values
                + " returning id, account_sid").split("\n")) {
            String[] parts = line.split("\\|");
            long id = Long.parseLong(parts[0]);
            businesses.add(new Business(id, parts[1], token(id)));
        }
        return businesses;
    }

    private String token(long businessId) {
        HttpResponse<String> response = post(api + "/api/dev/token", "{\"business_id\":" + businessId + ",\"user\":\"proof\"}");
        check(response.statusCode() == 200, "dev token: " + response.statusCode());
        return (String) map(json(response.body())).get("token");
    }

    /** perBusiness calls for each business, in round-robin order over the businesses. */
    private List<Call> calls(List<Business> businesses, int perBusiness, String script) throws Exception {
        List<Callable<Call>> tasks = new ArrayList<>();
        for (int i = 0; i < perBusiness; i++) {
            for (Business business : businesses) {
                tasks.add(() -> call(business, script));
            }
        }
        List<Call> calls = new ArrayList<>();
        for (Future<Call> future : PARALLEL.invokeAll(tasks)) {
            calls.add(future.get());
        }
        return calls;
    }

    /** A completed call with a recording, scripted at the provider, reported through the signed webhooks. */
    private Call call(Business business, String script) {
        Call call = new Call(business, sid("CA"), sid("RE"));
        check(post(simulator + "/sim/recordings/" + call.recordingSid(), script).statusCode() == 204, "simulator script");
        Map<String, String> callStatus = new LinkedHashMap<>();
        callStatus.put("AccountSid", business.accountSid());
        callStatus.put("CallSid", call.callSid());
        callStatus.put("From", "+15550001111");
        callStatus.put("To", "+15550002222");
        callStatus.put("Direction", "inbound");
        callStatus.put("CallStatus", "completed");
        callStatus.put("CallDuration", "65");
        Map<String, String> recordingStatus = new LinkedHashMap<>();
        recordingStatus.put("AccountSid", business.accountSid());
        recordingStatus.put("CallSid", call.callSid());
        recordingStatus.put("RecordingSid", call.recordingSid());
        recordingStatus.put("RecordingStatus", "completed");
        recordingStatus.put("RecordingDuration", "60");
        check(webhook("call-status", callStatus) == 204, "call-status webhook refused");
        check(webhook("recording-status", recordingStatus) == 204, "recording-status webhook refused");
        return call;
    }

    /** Posts a status callback as the provider does: form-encoded, signed with X-Twilio-Signature. */
    private int webhook(String event, Map<String, String> form) {
        String url = api + "/api/webhooks/twilio/" + event;
        StringBuilder signed = new StringBuilder(url);
        new TreeMap<>(form).forEach((key, value) -> signed.append(key).append(value));
        String signature;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(PROVIDER_AUTH_TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            signature = Base64.getEncoder().encodeToString(mac.doFinal(signed.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Twilio-Signature", signature).POST(HttpRequest.BodyPublishers.ofString(body)),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpResponse<String> play(Call call) {
        return get(api + "/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true", call.business().token());
    }

    /** Recording status per call, from the recent-calls lists of the calls' businesses. */
    private Map<String, String> statuses(List<Call> calls) {
        Map<String, String> statuses = new TreeMap<>();
        for (Business business : calls.stream().map(Call::business).distinct().toList()) {
            Map<String, Object> page = map(json(get(api + "/api/calls?limit=200", business.token()).body()));
            for (Map<String, Object> item : list(page.get("items"))) {
                Object recording = item.get("recording");
                if (recording != null) {
                    statuses.put((String) item.get("call_sid"), (String) map(recording).get("status"));
                }
            }
        }
        Map<String, String> wanted = new TreeMap<>();
        calls.forEach(call -> wanted.put(call.callSid(), statuses.getOrDefault(call.callSid(), "absent")));
        return wanted;
    }

    /** Waits until every call's recording has the status ("downloading" also accepts "ready"). */
    private boolean awaitStatus(List<Call> calls, String status, Duration timeout) {
        Set<String> accepted = status.equals("downloading") ? Set.of("downloading", "ready") : Set.of(status);
        return await(timeout, () -> statuses(calls).values().stream().allMatch(accepted::contains));
    }

    private static long count(Map<String, String> statuses, String status) {
        return statuses.values().stream().filter(status::equals).count();
    }

    /** When the last of the calls' recordings became ready (epoch seconds, the database's clock). */
    private double lastReadyAt(List<Call> calls) throws IOException, InterruptedException {
        return Double.parseDouble(sql("select extract(epoch from max(recording_ready_at)) from call_logs where call_sid in ("
                + quoted(calls) + ")"));
    }

    private int fetches(Call call) {
        return (int) number(map(map(json(get(simulator + "/sim/stats", null).body())).get("fetches"))
                .getOrDefault(call.recordingSid(), 0L));
    }

    private static String quoted(List<Call> calls) {
        return calls.stream().map(c -> "'" + c.callSid() + "'").collect(Collectors.joining(","));
    }

    private static String recordingOf(List<Call> calls, String callSid) {
        return calls.stream().filter(c -> c.callSid().equals(callSid)).findFirst().orElseThrow().recordingSid();
    }

    // ------------------------------------------------------------------ HTTP

    private static HttpResponse<String> get(String url, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(40));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> getBytes(String url, String range) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(40));
        if (range != null) {
            request.header("Range", range);
        }
        return send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> post(String url, String json) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(40)).POST(HttpRequest.BodyPublishers.ofString(json)),
                HttpResponse.BodyHandlers.ofString());
    }

    private static <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        HttpRequest built = request.build();
        try {
            return HTTP.send(built, body);
        } catch (IOException e) {
            throw new IllegalStateException(built.method() + " " + built.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ small things

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    /** Polls the condition every 250 ms until it holds or the time is up. */
    private static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            pause(250);
        }
        return condition.getAsBoolean();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String sid(String prefix) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    private static String shortId(String container) {
        return container.length() > 12 ? container.substring(0, 12) : container;
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }

    /** A small JSON reader (objects, arrays, strings, numbers, literals): the proof needs a JDK only. */
    private static Object json(String text) {
        Json reader = new Json(text);
        Object value = reader.value();
        reader.skipSpace();
        check(reader.at == text.length(), "trailing characters in JSON: " + text);
        return value;
    }

    private static final class Json {
        private final String text;
        private int at;

        Json(String text) {
            this.text = text;
        }

        Object value() {
            skipSpace();
            check(at < text.length(), "JSON ended early");
            char c = text.charAt(at);
            if (c == '{') {
                Map<String, Object> object = new LinkedHashMap<>();
                at++;
                skipSpace();
                if (text.charAt(at) == '}') {
                    at++;
                    return object;
                }
                do {
                    skipSpace();
                    String key = string();
                    skipSpace();
                    expect(':');
                    object.put(key, value());
                    skipSpace();
                } while (text.charAt(at++) == ',');
                check(text.charAt(at - 1) == '}', "expected } in JSON at " + at);
                return object;
            }
            if (c == '[') {
                List<Object> array = new ArrayList<>();
                at++;
                skipSpace();
                if (text.charAt(at) == ']') {
                    at++;
                    return array;
                }
                do {
                    array.add(value());
                    skipSpace();
                } while (text.charAt(at++) == ',');
                check(text.charAt(at - 1) == ']', "expected ] in JSON at " + at);
                return array;
            }
            if (c == '"') {
                return string();
            }
            for (String literal : List.of("true", "false", "null")) {
                if (text.startsWith(literal, at)) {
                    at += literal.length();
                    return literal.equals("null") ? null : Boolean.valueOf(literal);
                }
            }
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String number = text.substring(start, at);
            check(!number.isEmpty(), "unexpected character in JSON at " + start + ": " + text);
            return number.matches("-?\\d+") ? (Object) Long.parseLong(number) : (Object) Double.parseDouble(number);
        }

        String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (text.charAt(at) != '"') {
                char c = text.charAt(at++);
                if (c == '\\') {
                    char escaped = text.charAt(at++);
                    switch (escaped) {
                        case 'n' -> out.append('\n');
                        case 't' -> out.append('\t');
                        case 'r' -> out.append('\r');
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case 'u' -> {
                            out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                            at += 4;
                        }
                        default -> out.append(escaped);
                    }
                } else {
                    out.append(c);
                }
            }
            at++;
            return out.toString();
        }

        void expect(char c) {
            check(text.charAt(at) == c, "expected " + c + " in JSON at " + at + ": " + text);
            at++;
        }

        void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }
    }
}
