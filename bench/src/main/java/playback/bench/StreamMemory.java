package playback.bench;

import com.fasterxml.jackson.databind.JsonNode;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * 3. api resident memory while 200 clients stream a stored 50 MB recording through its signed
 * {@code stream_url}, each reading at about 2 MB/s, for 20 s. The api's VmRSS (from /proc) is sampled
 * every 500 ms: before, during and after. Goal: below 400 MB and flat.
 */
public final class StreamMemory {

    static final long SIZE = 50L * 1024 * 1024;
    static final int CLIENTS = 200;
    static final long BYTES_PER_SECOND = 2L * 1024 * 1024;
    static final Duration LOAD = Duration.ofSeconds(20);
    static final long LIMIT_MB = 400;
    /** Flat: RSS in the last 5 s of load is at most this much above RSS 3 to 8 s into the load. */
    static final double FLAT_TOLERANCE = 0.10;

    record Sample(double second, long rssKb) {
    }

    public static void main(String[] args) throws Exception {
        try (BenchStack bench = BenchStack.start("stream-memory")) {
            run(bench, "memory", "");
        }
    }

    /** @param key, storage the result's key and how the recording is stored, for the report */
    static void run(BenchStack bench, String key, String storage) throws Exception {
        Business business = bench.fixtures.business("Memory bench");
        Call call = bench.fixtures.call(business, "{\"size_bytes\":" + SIZE + "}");
        JsonNode ready = bench.playAndAwaitReady(call, Duration.ofSeconds(120));
        if (ready.path("size_bytes").asLong() != SIZE) {
            throw new IllegalStateException("stored recording is not " + SIZE + " bytes: " + ready);
        }
        String streamUrl = ready.path("stream_url").asText();
        URL url = new URL(bench.apiUrl + streamUrl);
        Path status = Path.of("/proc/" + bench.api.pid() + "/status");

        List<Sample> samples = new CopyOnWriteArrayList<>();
        long t0 = System.nanoTime();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(BenchStack.daemonThreads());
        sampler.scheduleAtFixedRate(() -> samples.add(new Sample((System.nanoTime() - t0) / 1e9, rssKb(status))),
                0, 500, TimeUnit.MILLISECONDS);
        try {
            Thread.sleep(3000);
            double loadStart = (System.nanoTime() - t0) / 1e9;
            Clients clients = stream(url, loadStart);
            double loadEnd = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(5000);
            sampler.shutdown();
            sampler.awaitTermination(5, TimeUnit.SECONDS);
            print(samples, loadStart, loadEnd, clients, key, storage);
        } finally {
            sampler.shutdownNow();
        }
    }

    record Clients(int ok, int failed, long bytes, double seconds) {
    }

    /** 200 threads, each one GET of the whole file, read at about 2 MB/s, dropped after 20 s. */
    private static Clients stream(URL url, double loadStart) throws InterruptedException {
        AtomicLong bytes = new AtomicLong();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(CLIENTS);
        long started = System.nanoTime();
        long end = started + LOAD.toNanos();
        for (int i = 0; i < CLIENTS; i++) {
            Thread client = new Thread(() -> {
                HttpURLConnection connection = null;
                try {
                    connection = (HttpURLConnection) url.openConnection();
                    connection.setConnectTimeout(10_000);
                    connection.setReadTimeout(30_000);
                    if (connection.getResponseCode() != 200 || connection.getContentLengthLong() != SIZE) {
                        failed.incrementAndGet();
                        return;
                    }
                    long mine = 0;
                    long begun = System.nanoTime();
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = connection.getInputStream()) {
                        while (System.nanoTime() < end) {
                            int n = in.read(buffer);
                            if (n < 0) {
                                break;
                            }
                            mine += n;
                            bytes.addAndGet(n);
                            long due = begun + mine * 1_000_000_000L / BYTES_PER_SECOND;
                            long ahead = due - System.nanoTime();
                            if (ahead > 0) {
                                Thread.sleep(Math.min(ahead / 1_000_000, Math.max(0, (end - System.nanoTime()) / 1_000_000)) + 1);
                            }
                        }
                    }
                    ok.incrementAndGet();
                } catch (IOException e) {
                    failed.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    if (connection != null) {
                        connection.disconnect();
                    }
                    done.countDown();
                }
            }, "client-" + i);
            client.setDaemon(true);
            client.start();
        }
        if (!done.await(LOAD.toSeconds() + 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("clients did not finish");
        }
        return new Clients(ok.get(), failed.get(), bytes.get(), (System.nanoTime() - started) / 1e9);
    }

    private static void print(List<Sample> samples, double loadStart, double loadEnd, Clients clients, String key,
                              String storage) throws IOException {
        List<Long> before = new ArrayList<>();
        List<Long> during = new ArrayList<>();
        List<Long> settled = new ArrayList<>();
        List<Long> tail = new ArrayList<>();
        for (Sample s : samples) {
            if (s.second() < loadStart) {
                before.add(s.rssKb());
            } else if (s.second() <= loadEnd) {
                during.add(s.rssKb());
                if (s.second() >= loadStart + 3 && s.second() <= loadStart + 8) {
                    settled.add(s.rssKb());
                }
                if (s.second() >= loadEnd - 5) {
                    tail.add(s.rssKb());
                }
            }
        }
        long baseline = before.isEmpty() ? 0 : before.get(before.size() - 1);
        long min = during.stream().mapToLong(Long::longValue).min().orElse(0);
        long max = during.stream().mapToLong(Long::longValue).max().orElse(0);
        long fin = samples.get(samples.size() - 1).rssKb();
        long settledMax = settled.stream().mapToLong(Long::longValue).max().orElse(0);
        long tailMax = tail.stream().mapToLong(Long::longValue).max().orElse(0);
        double growth = settledMax == 0 ? 0 : (tailMax - settledMax) / (double) settledMax;
        boolean flat = growth <= FLAT_TOLERANCE;
        boolean under = max < LIMIT_MB * 1024;
        boolean pass = under && flat && clients.failed() == 0;

        System.out.println();
        System.out.printf("=== 3. api RSS while %d clients stream a 50 MB recording%s at ~%d MB/s each for %d s ===%n",
                CLIENTS, storage, BYTES_PER_SECOND / (1024 * 1024), LOAD.toSeconds());
        System.out.printf("clients: %d ok, %d failed; %.0f MB read in %.1f s (%.0f MB/s in all, %.2f MB/s per client)%n",
                clients.ok(), clients.failed(), clients.bytes() / 1048576.0, clients.seconds(),
                clients.bytes() / 1048576.0 / clients.seconds(), clients.bytes() / 1048576.0 / clients.seconds() / CLIENTS);
        StringBuilder series = new StringBuilder("RSS every 2 s (MB), load from " + String.format("%.1f", loadStart)
                + " s to " + String.format("%.1f", loadEnd) + " s:");
        for (int i = 0; i < samples.size(); i += 4) {
            series.append(String.format(" %.0fs=%d", samples.get(i).second(), samples.get(i).rssKb() / 1024));
        }
        System.out.println(series);
        List<String[]> rows = new ArrayList<>();
        rows.add(Report.row("figure", "value", "goal", "result"));
        rows.add(Report.row("RSS before the clients", mb(baseline), "", ""));
        rows.add(Report.row("RSS min during load", mb(min), "", ""));
        rows.add(Report.row("RSS max during load", mb(max), "< " + LIMIT_MB + " MB", Report.verdict(under)));
        rows.add(Report.row("RSS final (5 s after the clients left)", mb(fin), "", ""));
        rows.add(Report.row("flat: max of last 5 s of load vs max of 3-8 s in", String.format("%+.1f%%", growth * 100),
                "<= +" + Math.round(FLAT_TOLERANCE * 100) + "%", Report.verdict(flat)));
        System.out.print(Report.table(rows));
        Report.save(key, "3. api RSS, 200 clients streaming 50 MB" + storage,
                String.format("max %s (min %s, before %s, final %s), %s (%+.1f%%)", mb(max), mb(min), mb(baseline), mb(fin),
                        flat ? "flat" : "growing", growth * 100),
                "< 400 MB and flat", pass);
    }

    private static String mb(long kb) {
        return String.format("%.0f MB", kb / 1024.0);
    }

    static long rssKb(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // process gone
        }
        return 0;
    }
}
