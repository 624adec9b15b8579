package playback.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Closed-loop load of 64 KiB Range requests at random 64 KiB-aligned offsets of one file: N users, each
 * sending its next request when the previous answer has been read to the end. Two generators with the
 * same workload: this JVM's {@code java.net.http.HttpClient} (HTTP/1.1, keep-alive), and wrk when it is
 * installed.
 */
final class RangeLoad {

    static final int BLOCK = 64 * 1024;

    record Result(String generator, long requests, double perSecond, double p50Millis, double p99Millis, long errors) {
    }

    private RangeLoad() {
    }

    /** The Java generator: users threads, warm-up then measured for the duration given. */
    static Result java(URI target, long size, int users, Duration warmUp, Duration measured) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(4, BenchStack.daemonThreads()))
                .connectTimeout(Duration.ofSeconds(5)).build();
        long blocks = size / BLOCK;
        long start = System.nanoTime();
        long measureFrom = start + warmUp.toNanos();
        long end = measureFrom + measured.toNanos();
        AtomicLong errors = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        int[] counts = new int[users];
        CountDownLatch done = new CountDownLatch(users);
        for (int u = 0; u < users; u++) {
            long[] mine = new long[1 << 16];
            latencies.add(mine);
            int user = u;
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[BLOCK];
                try {
                    while (System.nanoTime() < end) {
                        long offset = ThreadLocalRandom.current().nextLong(blocks) * BLOCK;
                        HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                                .header("Range", "bytes=" + offset + "-" + (offset + BLOCK - 1)).build();
                        long sent = System.nanoTime();
                        long read = 0;
                        int status;
                        try {
                            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                            status = response.statusCode();
                            try (InputStream in = response.body()) {
                                for (int n; (n = in.read(buffer)) >= 0; ) {
                                    read += n;
                                }
                            }
                        } catch (IOException e) {
                            status = -1;
                        }
                        long answered = System.nanoTime();
                        if (status != 206 || read != BLOCK) {
                            errors.incrementAndGet();
                        } else if (sent >= measureFrom && answered <= end && counts[user] < mine.length) {
                            mine[counts[user]++] = answered - sent;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, "user-" + u);
            thread.setDaemon(true);
            thread.start();
        }
        if (!done.await(warmUp.plus(measured).toSeconds() + 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("load generator did not finish");
        }
        List<Double> millis = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            for (int i = 0; i < counts[u]; i++) {
                millis.add(latencies.get(u)[i] / 1e6);
            }
        }
        return new Result("java HttpClient", millis.size(), millis.size() / (measured.toNanos() / 1e9),
                Report.percentile(millis, 0.5), Report.percentile(millis, 0.99), errors.get());
    }

    /** wrk, when installed: a warm-up run, then the measured one, with a Lua script for the ranges. */
    static Result wrk(BenchStack bench, URI target, long size, int users, Duration warmUp, Duration measured)
            throws IOException, InterruptedException {
        Path script = bench.work.resolve("ranges-" + target.getPort() + ".lua");
        String path = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
        Files.writeString(script, """
                local blocks = %d
                request = function()
                  local offset = math.random(0, blocks - 1) * %d
                  return wrk.format("GET", "%s", {["Range"] = "bytes=" .. offset .. "-" .. (offset + %d)})
                end
                """.formatted(size / BLOCK, BLOCK, path, BLOCK - 1), StandardCharsets.UTF_8);
        String base = target.getScheme() + "://" + target.getAuthority();
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), users));
        runWrk(bench, List.of("wrk", "-t" + threads, "-c" + users, "-d" + warmUp.toSeconds() + "s", "-s",
                script.toString(), base), warmUp);
        String output = runWrk(bench, List.of("wrk", "-t" + threads, "-c" + users, "-d" + measured.toSeconds() + "s",
                "--latency", "-s", script.toString(), base), measured);
        Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(output);
        Matcher total = Pattern.compile("(\\d+) requests in").matcher(output);
        Matcher p50 = Pattern.compile("\\s50%\\s+([0-9.]+)(us|ms|s)").matcher(output);
        Matcher p99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)").matcher(output);
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(output);
        Matcher socketErrors = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(output);
        if (!rps.find() || !total.find() || !p50.find() || !p99.find()) {
            throw new IllegalStateException("cannot read wrk's output:\n" + output);
        }
        long errors = non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0;
        if (socketErrors.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socketErrors.group(g));
            }
        }
        return new Result("wrk " + threads + " threads", Long.parseLong(total.group(1)), Double.parseDouble(rps.group(1)),
                toMillis(p50), toMillis(p99), errors);
    }

    private static double toMillis(Matcher m) {
        double value = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }

    private static String runWrk(BenchStack bench, List<String> command, Duration duration)
            throws IOException, InterruptedException {
        Process process = bench.stack.adopt(new ProcessBuilder(command).redirectErrorStream(true).start());
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(duration.toSeconds() + 30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("wrk did not finish");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    static boolean wrkInstalled() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, "wrk"))) {
                return true;
            }
        }
        return false;
    }
}
