package playback.bench;

import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.devstack.Stack;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * 2. Warm stream. Requests/s and p99 of 64 KiB Range requests at random aligned offsets of a stored 5 MB
 * recording, 64 concurrent users, 3 s warm-up then 10 s measured: the api through its signed
 * {@code stream_url}, and nginx serving the same file on this machine in the same run, with the same
 * generator (the Java one, then wrk when installed). The api's JVM gets 15 s of the same load first
 * (JIT). Goal: ours / nginx &gt;= 0.5 (requests/s).
 */
public final class WarmStream {

    static final long SIZE = 5L * 1024 * 1024;
    static final int USERS = 64;
    static final Duration WARM_UP = Duration.ofSeconds(3);
    static final Duration MEASURED = Duration.ofSeconds(10);
    static final Duration JIT_WARM_UP = Duration.ofSeconds(15);
    /** nginx gets as many worker processes as there are cores ("auto"), like the api's event loops. */
    static final String NGINX_WORKERS = "auto";

    public static void main(String[] args) throws Exception {
        try (BenchStack bench = BenchStack.start("warm-stream")) {
            run(bench);
        }
    }

    static void run(BenchStack bench) throws Exception {
        Business business = bench.fixtures.business("Warm stream bench");
        Call call = bench.fixtures.call(business, "{\"size_bytes\":" + SIZE + "}");
        String streamUrl = bench.playAndAwaitReady(call, Duration.ofSeconds(60)).path("stream_url").asText();
        Path file = bench.storedFile(call);
        if (Files.size(file) != SIZE) {
            throw new IllegalStateException(file + " has " + Files.size(file) + " bytes, not " + SIZE);
        }
        URI ours = URI.create(bench.apiUrl + streamUrl);
        int nginxPort = startNginx(bench, bench.stack.storage());
        URI nginx = URI.create("http://127.0.0.1:" + nginxPort + "/" + business.id() + "/" + call.callSid() + ".mp3");
        checkSameBytes(bench, ours, nginx);
        System.out.printf("file %s (%d bytes); nginx worker_processes %s (%d cores), sendfile on, access_log off%n",
                file, SIZE, NGINX_WORKERS, Runtime.getRuntime().availableProcessors());

        long rssBefore = StreamMemory.rssKb(java.nio.file.Path.of("/proc/" + bench.api.pid() + "/status"));
        List<RangeLoad.Result[]> pairs = new ArrayList<>();
        // A fresh api JVM serves a third of its warm rate in its first 10-15 s (JIT): warm it first.
        System.out.println("JIT warm-up of the api: " + JIT_WARM_UP.toSeconds() + " s of the same load, not measured ...");
        RangeLoad.java(ours, SIZE, USERS, Duration.ZERO, JIT_WARM_UP);
        System.out.println("java HttpClient generator: nginx ...");
        RangeLoad.Result javaNginx = RangeLoad.java(nginx, SIZE, USERS, WARM_UP, MEASURED);
        System.out.println("java HttpClient generator: api ...");
        RangeLoad.Result javaOurs = RangeLoad.java(ours, SIZE, USERS, WARM_UP, MEASURED);
        pairs.add(new RangeLoad.Result[]{javaOurs, javaNginx});
        boolean wrk = RangeLoad.wrkInstalled();
        if (wrk) {
            System.out.println("wrk generator: nginx ...");
            RangeLoad.Result wrkNginx = RangeLoad.wrk(bench, nginx, SIZE, USERS, WARM_UP, MEASURED);
            System.out.println("wrk generator: api ...");
            RangeLoad.Result wrkOurs = RangeLoad.wrk(bench, ours, SIZE, USERS, WARM_UP, MEASURED);
            pairs.add(new RangeLoad.Result[]{wrkOurs, wrkNginx});
        }

        System.out.println();
        System.out.println("=== 2. Warm stream: 64 KiB Range requests, " + USERS + " users, " + MEASURED.toSeconds()
                + " s after " + WARM_UP.toSeconds() + " s warm-up ===");
        List<String[]> rows = new ArrayList<>();
        rows.add(Report.row("generator", "target", "requests", "req/s", "MiB/s", "p50", "p99", "errors", "ours/nginx",
                "goal", "result"));
        for (RangeLoad.Result[] pair : pairs) {
            double ratio = pair[0].perSecond() / pair[1].perSecond();
            rows.add(resultRow(pair[1], "nginx", "", "", ""));
            rows.add(resultRow(pair[0], "api", String.format("%.2f", ratio), ">= 0.5",
                    Report.verdict(ratio >= 0.5 && pair[0].errors() == 0)));
        }
        System.out.print(Report.table(rows));
        long rssAfter = StreamMemory.rssKb(java.nio.file.Path.of("/proc/" + bench.api.pid() + "/status"));
        System.out.printf("api RSS (VmRSS): %d MB before this load, %d MB after it%n", rssBefore / 1024, rssAfter / 1024);
        // The verdict uses the stronger generator: wrk (C, event loop) when present, else the Java one.
        RangeLoad.Result[] decisive = pairs.get(pairs.size() - 1);
        double ratio = decisive[0].perSecond() / decisive[1].perSecond();
        boolean pass = ratio >= 0.5 && decisive[0].errors() == 0;
        System.out.println("verdict from the " + decisive[0].generator() + " generator"
                + (wrk ? " (wrk is installed; the Java generator's row is shown for comparison)" : " (wrk not installed)"));
        Report.save("warm", "2. Warm stream, 64 KiB ranges, c=64",
                String.format("ours %.0f req/s p99 %.1f ms, nginx %.0f req/s p99 %.1f ms: ratio %.2f (%s)",
                        decisive[0].perSecond(), decisive[0].p99Millis(), decisive[1].perSecond(),
                        decisive[1].p99Millis(), ratio, decisive[0].generator()),
                ">= 0.5 of nginx", pass);
    }

    private static String[] resultRow(RangeLoad.Result r, String target, String ratio, String goal, String verdict) {
        return Report.row(r.generator(), target, Long.toString(r.requests()), String.format("%.0f", r.perSecond()),
                String.format("%.0f", r.perSecond() * RangeLoad.BLOCK / (1024.0 * 1024)),
                String.format("%.1f ms", r.p50Millis()), String.format("%.1f ms", r.p99Millis()),
                Long.toString(r.errors()), ratio, goal, verdict);
    }

    /** Our own nginx: generated minimal config, temp prefix, free port, a child process (daemon off). */
    static int startNginx(BenchStack bench, Path root) throws IOException, InterruptedException {
        Path prefix = bench.work.resolve("nginx");
        Files.createDirectories(prefix.resolve("logs"));
        int port = Stack.freePort();
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        String config = """
                %s
                worker_processes %s;
                daemon off;
                pid %s/nginx.pid;
                error_log %s/logs/error.log warn;
                events { worker_connections 1024; }
                http {
                    access_log off;
                    sendfile on;
                    tcp_nopush on;
                    keepalive_requests 1000000;
                    keepalive_timeout 65s;
                    types { audio/mpeg mp3; }
                    default_type application/octet-stream;
                    client_body_temp_path %s/client_body;
                    proxy_temp_path %s/proxy;
                    fastcgi_temp_path %s/fastcgi;
                    uwsgi_temp_path %s/uwsgi;
                    scgi_temp_path %s/scgi;
                    server {
                        listen 127.0.0.1:%d;
                        root %s;
                        location / { }
                    }
                }
                """.formatted(asRoot ? "user root;" : "", NGINX_WORKERS, prefix, prefix, prefix, prefix, prefix,
                prefix, prefix, port, root.toAbsolutePath());
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, config, StandardCharsets.UTF_8);
        Process nginx = bench.stack.adopt(new ProcessBuilder("nginx", "-c", conf.toString(), "-p", prefix + "/",
                "-e", prefix.resolve("logs/error.log").toString())
                .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout.log").toFile()).start());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!nginx.isAlive()) {
                throw new IOException("nginx exited with " + nginx.exitValue() + "; see " + prefix.resolve("logs"));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return port;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("nginx did not listen on " + port + "; see " + prefix.resolve("logs"));
    }

    /** Both targets answer 206 with the same bytes for the same range. */
    private static void checkSameBytes(BenchStack bench, URI ours, URI nginx) throws Exception {
        String range = "bytes=" + (7L * RangeLoad.BLOCK) + "-" + (8L * RangeLoad.BLOCK - 1);
        HttpResponse<byte[]> a = bench.http.send(HttpRequest.newBuilder(ours).header("Range", range).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> b = bench.http.send(HttpRequest.newBuilder(nginx).header("Range", range).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (a.statusCode() != 206 || b.statusCode() != 206 || !Arrays.equals(a.body(), b.body())
                || a.body().length != RangeLoad.BLOCK) {
            throw new IllegalStateException("api answered " + a.statusCode() + " (" + a.body().length + " bytes), nginx "
                    + b.statusCode() + " (" + b.body().length + " bytes) for " + range);
        }
    }
}
