package playback.bench;

import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.devstack.ManagedProcess;
import playback.devstack.Stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * 5. Recordings in object storage: the api proxying ranged reads of the store vs redirecting the browser
 * to a presigned URL of the store. One recording of 5 MB in s3proxy (its own process); two api
 * processes on the same database and store, one with {@code delivery=proxy}, one with
 * {@code delivery=redirect}. For each: the time to the first byte of a 64 KiB Range request at the
 * client (for redirect: the 307 and then the request to the store), sequential; and the api's CPU per
 * request (utime + stime from /proc) over {@value #LOAD_REQUESTS} such requests, 8 at a time. Then the
 * memory benchmark against the proxying api: RSS stays flat when every byte passes through it.
 */
public final class ObjectStorageServing {

    static final long SIZE = 5L * 1024 * 1024;
    static final String RANGE = "bytes=1048576-1114111";
    static final int RANGE_BYTES = 65_536;
    static final int WARMUP = 100;
    static final int SAMPLES = 300;
    static final int LOAD_REQUESTS = 2000;
    static final int LOAD_CONCURRENCY = 8;
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    record Figures(double p50Ms, double p99Ms, double cpuMsPerRequest, double requestsPerSecond) {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of("").toAbsolutePath();
        Path storeDir = root.resolve("bench/target/bench-run/object-store");
        BenchStack.deleteRecursively(storeDir);
        try (ObjectStoreProcess store = ObjectStoreProcess.start(storeDir);
             BenchStack bench = BenchStack.start("object-storage", store.environment())) {
            Map<String, String> redirect = new HashMap<>(store.environment());
            redirect.put("PLAYBACK_STREAM_URL_DELIVERY", "redirect");
            ManagedProcess redirectApi = bench.stack.api("api-redirect", Stack.freePort(), bench.simulatorUrl, redirect);

            Business business = bench.fixtures.business("Object storage bench");
            Call call = bench.fixtures.call(business, "{\"size_bytes\":" + SIZE + "}");
            String streamUrl = bench.playAndAwaitReady(call, Duration.ofSeconds(120)).path("stream_url").asText();

            Figures proxy = measure(bench, bench.api, bench.apiUrl + streamUrl, false);
            Figures presigned = measure(bench, redirectApi, redirectApi.url() + streamUrl, true);
            print(proxy, presigned);
            StreamMemory.run(bench, "memory-s3", " from object storage (proxied)");
        }
    }

    private static Figures measure(BenchStack bench, ManagedProcess api, String url, boolean redirect) throws Exception {
        for (int i = 0; i < WARMUP; i++) {
            firstByte(bench, url, redirect);
        }
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            millis.add(firstByte(bench, url, redirect));
        }
        long cpuBefore = cpuTicks(api.pid());
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(LOAD_CONCURRENCY, BenchStack.daemonThreads());
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < LOAD_CONCURRENCY; c++) {
            clients.add(pool.submit(() -> {
                while (next.getAndIncrement() < LOAD_REQUESTS) {
                    firstByte(bench, url, redirect);
                }
                return null;
            }));
        }
        for (Future<?> client : clients) {
            client.get();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long cpu = cpuTicks(api.pid()) - cpuBefore;
        pool.shutdownNow();
        return new Figures(Report.percentile(millis, 0.50), Report.percentile(millis, 0.99),
                cpu * 1000.0 / CLOCK_TICKS_PER_SECOND / LOAD_REQUESTS, LOAD_REQUESTS / seconds);
    }

    /** One Range request, whole body read and checked; returns ms until its first body byte. */
    private static double firstByte(BenchStack bench, String url, boolean redirect) throws Exception {
        long started = System.nanoTime();
        String target = url;
        if (redirect) {
            HttpResponse<Void> answer = bench.http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
            if (answer.statusCode() != 307) {
                throw new IllegalStateException("expected a 307 from the redirecting api, got " + answer.statusCode());
            }
            target = answer.headers().firstValue("Location").orElseThrow();
        }
        HttpResponse<InputStream> answer = bench.http.send(HttpRequest.newBuilder(URI.create(target)).header("Range", RANGE)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = answer.body()) {
            if (answer.statusCode() != 206 || body.read() < 0) {
                throw new IllegalStateException("expected a 206 with a body, got " + answer.statusCode());
            }
            double millis = (System.nanoTime() - started) / 1e6;
            long rest = body.transferTo(OutputStream.nullOutputStream());
            if (rest + 1 != RANGE_BYTES) {
                throw new IllegalStateException("range of " + (rest + 1) + " bytes, not " + RANGE_BYTES);
            }
            return millis;
        }
    }

    /** utime + stime of a process, in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static void print(Figures proxy, Figures presigned) throws IOException {
        System.out.println();
        System.out.printf("=== 5. object storage: proxy vs presigned redirect, 64 KiB Range of a %d MB recording ===%n",
                SIZE / (1024 * 1024));
        List<String[]> rows = new ArrayList<>();
        rows.add(Report.row("figure", "proxy (api reads the store)", "redirect (307 to a presigned URL)"));
        rows.add(Report.row("first byte p50, sequential", ms(proxy.p50Ms()), ms(presigned.p50Ms())));
        rows.add(Report.row("first byte p99, sequential", ms(proxy.p99Ms()), ms(presigned.p99Ms())));
        rows.add(Report.row("api CPU per request (" + LOAD_CONCURRENCY + " at a time)",
                ms(proxy.cpuMsPerRequest()), ms(presigned.cpuMsPerRequest())));
        rows.add(Report.row("requests per second (whole round trip)", String.format("%.0f", proxy.requestsPerSecond()),
                String.format("%.0f", presigned.requestsPerSecond())));
        System.out.print(Report.table(rows));
        Report.save("s3", "5. object storage: proxy vs redirect, 64 KiB Range",
                String.format("first byte p50 %s vs %s, p99 %s vs %s; api CPU/request %s vs %s",
                        ms(proxy.p50Ms()), ms(presigned.p50Ms()), ms(proxy.p99Ms()), ms(presigned.p99Ms()),
                        ms(proxy.cpuMsPerRequest()), ms(presigned.cpuMsPerRequest())),
                "measured; proxy keeps the HTTP contract", true);
    }

    private static String ms(double millis) {
        return String.format("%.2f ms", millis);
    }
}
