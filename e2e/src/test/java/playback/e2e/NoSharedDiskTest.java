package playback.e2e;

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
import playback.testing.S3Server;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recordings in object storage, no disk shared by any two processes: 2 api and 2 worker processes, each
 * with its own private directory, sharing only PostgreSQL, Redis (the test's own) and a real S3 API
 * server (s3proxy). Worker A reaches the store through an {@link UploadTripwire}, to be killed in the
 * middle of an upload. Prints one table at the end.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NoSharedDiskTest {

    private static final String DATABASE = "playback_e2e_s3";
    private static final String BUCKET = "recordings";
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final int RECORDING_BYTES = 150_000;
    /** Above the 8 MiB part size: uploaded in parts. */
    private static final int LARGE_RECORDING_BYTES = 20_000_000;
    private static final ResultTable TABLE = new ResultTable();

    private static Path work;
    private static OwnedServers servers;
    private static S3Server store;
    private static UploadTripwire tripwire;
    private static Stack stack;
    private static Fixtures fixtures;
    private static Probes probes;
    private static String simulatorUrl;
    private static final String[] apis = new String[2];
    private static final ManagedProcess[] workers = new ManagedProcess[2];
    private static final List<Business> businesses = new ArrayList<>();

    @BeforeAll
    static void startSystem() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        work = root.resolve("e2e/target/no-shared-disk");
        Files.createDirectories(work);
        servers = OwnedServers.start(work.resolve("servers"));
        servers.createDatabase(DATABASE);
        store = S3Server.start();
        store.createBucket(BUCKET);
        tripwire = new UploadTripwire(store.endpoint().getPort());
        // The stack's shared storage directory is never used: every process gets its own below.
        stack = new Stack(root, work.resolve("logs"), work.resolve("unused"), servers.jdbcUrl(DATABASE), "postgres",
                servers.redisUrl(0));
        simulatorUrl = stack.simulator("simulator", Stack.freePort(), Stack.freePort()).url();
        for (int i = 0; i < 2; i++) {
            apis[i] = stack.api("api-" + (i + 1), Stack.freePort(), simulatorUrl, storage("api-" + (i + 1), null)).url();
        }
        workers[0] = startWorker("worker-a", tripwire.port());
        workers[1] = startWorker("worker-b", null);
        fixtures = new Fixtures(stack, apis[0], simulatorUrl);
        probes = new Probes(stack, List.of(apis));
        for (int i = 0; i < 5; i++) {
            businesses.add(fixtures.business("No shared disk " + (i + 1)));
        }
    }

    /** The S3 settings, a private directory, and the endpoint through the tripwire when a port is given. */
    private static Map<String, String> storage(String process, Integer throughPort) {
        Map<String, String> env = new HashMap<>(store.environment(BUCKET));
        env.put("PLAYBACK_STORAGE_DIR", work.resolve("private/" + process).toString());
        if (throughPort != null) {
            env.put("PLAYBACK_STORAGE_S3_ENDPOINT", "http://127.0.0.1:" + throughPort);
        }
        return env;
    }

    private static ManagedProcess startWorker(String name, Integer throughPort) throws IOException {
        Map<String, String> env = storage(name, throughPort);
        env.putAll(Map.of(
                "PLAYBACK_SLOTS_PER_BUSINESS", "3",
                "PLAYBACK_SLOTS_LEASE", LEASE.toSeconds() + "s",
                "PLAYBACK_WORKER_ORPHAN_AFTER", "5s",
                "PLAYBACK_WORKER_SWEEP_INTERVAL", "1s",
                "PLAYBACK_RETRY_BACKOFF", "1s,2s,3s,5s"));
        return stack.worker(name, Stack.freePort(), simulatorUrl, env);
    }

    @AfterAll
    static void stopSystem() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (tripwire != null) {
            tripwire.close();
        }
        if (store != null) {
            store.close();
        }
        if (servers != null) {
            servers.close();
        }
        System.out.println(TABLE.render());
    }

    @Test
    @Order(1)
    void hundredRecordingsOverFiveBusinessesAreServedByBothApisFromTheStore() throws Exception {
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            calls.add(fixtures.call(businesses.get(i % 5), "{\"latency_ms\":100,\"size_bytes\":" + RECORDING_BYTES + "}"));
        }
        fixtures.resetSimulatorStats();
        long started = System.nanoTime();
        List<Integer> statuses = probes.playConcurrently(calls, calls.size());
        boolean ready = Probes.await(Duration.ofSeconds(120),
                () -> calls.stream().allMatch(call -> "ready".equals(probes.status(call))));
        long seconds = (System.nanoTime() - started) / 1_000_000_000;
        int fetches = calls.stream().mapToInt(fixtures::providerFetches).sum();
        int wrongBytes = 0;
        try (S3Client s3 = store.client()) {
            for (int i = 0; i < calls.size(); i++) {
                Call call = calls.get(i);
                byte[] object = s3.getObjectAsBytes(get -> get.bucket(BUCKET).key(key(call, "mp3"))).asByteArray();
                HttpResponse<byte[]> whole = probes.getBytes(stream(apis[i % 2], call), call, null);
                HttpResponse<byte[]> range = probes.getBytes(stream(apis[(i + 1) % 2], call), call, "bytes=1000-1999");
                boolean correct = object.length == RECORDING_BYTES && whole.statusCode() == 200
                        && Arrays.equals(object, whole.body()) && range.statusCode() == 206
                        && ("bytes 1000-1999/" + RECORDING_BYTES).equals(range.headers().firstValue("Content-Range").orElse(""))
                        && Arrays.equals(Arrays.copyOfRange(object, 1000, 2000), range.body());
                wrongBytes += correct ? 0 : 1;
            }
        }
        long localFiles = localRecordingFiles();
        boolean passed = Set.of(200, 202).containsAll(statuses) && ready && fetches == calls.size() && wrongBytes == 0
                && localFiles == 0;
        TABLE.add("1. 100 recordings, 5 businesses, 2 apis + 2 workers, no shared disk", passed, String.format(
                "all ready=%s in %d s, fetches=%d, served wrong by an api=%d, recording files on local disks=%d",
                ready, seconds, fetches, wrongBytes, localFiles));
        assertTrue(passed, "all ready with one fetch each, identical bytes and ranges from both apis, nothing local");
    }

    @Test
    @Order(2)
    void workerKilledMidUploadLeavesNoObjectAndTheRunCompletesElsewhere() throws Exception {
        workers[1].stop(Duration.ofSeconds(20));
        Call call = fixtures.call(businesses.get(0), "{\"size_bytes\":" + LARGE_RECORDING_BYTES + "}");
        fixtures.resetSimulatorStats();
        tripwire.arm(4_000_000, workers[0]::kill);
        probes.playConcurrently(List.of(call), 1);
        boolean killedMidUpload = Probes.await(Duration.ofSeconds(60), tripwire::fired);
        boolean visibleAfterKill = Probes.await(Duration.ofSeconds(5), () -> !workers[0].isAlive()) && objectExists(call);
        long killed = System.nanoTime();
        workers[1] = startWorker("worker-b-again", null);
        boolean ready = Probes.await(LEASE.plusSeconds(60), () -> "ready".equals(probes.status(call)));
        double recovery = (System.nanoTime() - killed) / 1e9;
        int fetches = fixtures.providerFetches(call);
        boolean complete;
        try (S3Client s3 = store.client()) {
            byte[] object = s3.getObjectAsBytes(get -> get.bucket(BUCKET).key(key(call, "mp3"))).asByteArray();
            HttpResponse<byte[]> tail = probes.getBytes(stream(apis[1], call), call, "bytes=-1000");
            complete = object.length == LARGE_RECORDING_BYTES && tail.statusCode() == 206
                    && Arrays.equals(Arrays.copyOfRange(object, object.length - 1000, object.length), tail.body());
        }
        boolean passed = killedMidUpload && !visibleAfterKill && ready && fetches == 2 && complete;
        TABLE.add("2. SIGKILL a worker mid-upload (20 MB, in parts)", passed, String.format(
                "killed after 4 MB sent=%s, object visible after the kill=%s, ready on the other worker after %.1f s, "
                        + "provider fetches=%d (the killed one's and the new run's), complete and served=%s",
                killedMidUpload, visibleAfterKill, recovery, fetches, complete));
        assertTrue(passed, "no partial object is ever visible, and the recording ends ready and whole");
    }

    private static String stream(String api, Call call) {
        return api + "/api/recordings/" + call.callSid() + "/stream";
    }

    private static String key(Call call, String extension) {
        return call.business().id() + "/" + call.callSid() + "." + extension;
    }

    private static boolean objectExists(Call call) {
        try (S3Client s3 = store.client()) {
            s3.headObject(head -> head.bucket(BUCKET).key(key(call, "mp3")));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    /** Files in the processes' private directories outside their download areas: none, recordings are in the store. */
    private static long localRecordingFiles() throws IOException {
        Path privateDirs = work.resolve("private");
        if (!Files.exists(privateDirs)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(privateDirs)) {
            return files.filter(Files::isRegularFile).filter(path -> !path.toString().contains("/.tmp/")).count();
        }
    }
}
