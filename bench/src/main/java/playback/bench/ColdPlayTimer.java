package playback.bench;

import com.fasterxml.jackson.databind.JsonNode;
import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The cold Play as the cold-Play benchmarks time it: the explicit Play (must answer {@code 202}), then
 * the long-poll {@code GET /status?wait=30} until {@code ready}, from the request to ready as the client
 * sees it, with the parts read from the run's {@code created_at}/{@code started_at}/{@code finished_at}.
 * If {@code wait} is not honoured (a non-final answer three times in a row at once) it polls every
 * {@value #POLL_MILLIS} ms instead and says so; that wait, for any status awaited, is also what the
 * time-to-first-audio benchmark uses. Also the provider's own delivery, measured directly at the
 * simulator: its time to the last byte, which the cold-Play benchmarks subtract to get the overhead, and
 * to the first.
 */
final class ColdPlayTimer {

    static final int WAIT_SECONDS = 30;
    static final long POLL_MILLIS = 20;
    static final int DIRECT_FETCHES = 9;

    /**
     * How one Play went, all in ms: the whole, the 202, the run created until claimed, claimed until
     * finished, finished until the client saw ready; {@code enqueuedAt} is the run's created_at (epoch ms).
     */
    record Play(Call call, double total, double answer202, double pickup, double download, double notice,
                double enqueuedAt) {
    }

    private final BenchStack bench;
    private boolean longPollHonoured = true;
    private int earlyWakeUps;

    ColdPlayTimer(BenchStack bench) {
        this.bench = bench;
    }

    /** One cold Play, timed from the request to ready as the client sees it. */
    Play play(Call call) throws Exception {
        long sent = System.nanoTime();
        int answer = bench.play(call);
        long answered = System.nanoTime();
        if (answer != 202) {
            throw new IllegalStateException("explicit play of a cold recording answered " + answer + ", not 202");
        }
        awaitStatus(call, status -> status.path("status").asText().equals("ready"),
                Duration.ofSeconds(60).minusNanos(System.nanoTime() - sent));
        long ready = System.nanoTime();
        long readyWallMillis = System.currentTimeMillis();
        double[] run = runTimes(call);
        return new Play(call, (ready - sent) / 1e6, (answered - sent) / 1e6, run[1] - run[0], run[2] - run[1],
                readyWallMillis - run[2], run[0]);
    }

    /**
     * Asks the status through the long-poll (or by polling, once wait is found not honoured) until it
     * is what the caller waits for, and returns that status; a {@code failed} recording or the timeout
     * throws.
     */
    JsonNode awaitStatus(Call call, Predicate<JsonNode> awaited, Duration timeout) throws Exception {
        return awaitStatus(call, awaited, false, timeout);
    }

    /** As {@link #awaitStatus(Call, Predicate, Duration)}; with {@code live}, the long-poll asks {@code live=true}. */
    JsonNode awaitStatus(Call call, Predicate<JsonNode> awaited, boolean live, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int earlyInARow = 0;
        while (true) {
            boolean longPoll = longPollHonoured;
            long asked = System.nanoTime();
            JsonNode status = bench.status(call, longPoll ? WAIT_SECONDS : 0, live);
            if (awaited.test(status)) {
                return status;
            }
            if (status.path("status").asText().equals("failed")) {
                throw new IllegalStateException("recording failed: " + status);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("still " + status + " after " + timeout.toSeconds() + " s");
            }
            if (longPoll && System.nanoTime() - asked < Duration.ofSeconds(1).toNanos()) {
                // A non-final answer at once. One may be a wake-up for another reason (a dev reset
                // elsewhere on the same Redis server); three in a row mean wait is not honoured.
                earlyWakeUps++;
                if (++earlyInARow >= 3) {
                    longPollHonoured = false;
                }
            } else {
                earlyInARow = 0;
            }
            if (!longPollHonoured) {
                Thread.sleep(POLL_MILLIS);
            }
        }
    }

    boolean longPollHonoured() {
        return longPollHonoured;
    }

    /** One line on how ready was seen: the long-poll, or polling when wait was not honoured. */
    String howReadyWasSeen() {
        return howSeen("ready");
    }

    /** One line on how the awaited status (named) was seen: the long-poll, or polling. */
    String howSeen(String awaited) {
        return longPollHonoured
                ? awaited + " seen through the long-poll GET /status?wait=" + WAIT_SECONDS + " (honoured; "
                + earlyWakeUps + " non-final answers came back early and were asked again)"
                : "NOTE: wait=" + WAIT_SECONDS + " was NOT honoured by the api (answered at once while not ready): "
                + awaited + " seen by polling /status every " + POLL_MILLIS + " ms instead";
    }

    /** The parts of a Play, as rows of a table: the name, then p50, p99, max of each series of Plays given. */
    @SafeVarargs
    static List<String[]> breakdown(List<Play>... series) {
        List<String[]> rows = new ArrayList<>();
        rows.add(part("Play->ready (total)", Play::total, series));
        rows.add(part("  explicit Play answered (202)", Play::answer202, series));
        rows.add(part("  run created -> claimed by worker", Play::pickup, series));
        rows.add(part("  claimed -> finished (download, store)", Play::download, series));
        rows.add(part("  finished -> client saw ready (commit, event, answer)", Play::notice, series));
        return rows;
    }

    @SafeVarargs
    private static String[] part(String name, ToDoubleFunction<Play> figure, List<Play>... series) {
        List<String> cells = new ArrayList<>();
        cells.add(name);
        for (List<Play> plays : series) {
            List<Double> values = plays.stream().map(figure::applyAsDouble).toList();
            cells.add(ms(Report.percentile(values, 0.5)));
            cells.add(ms(Report.percentile(values, 0.99)));
            cells.add(ms(Report.percentile(values, 1.0)));
        }
        return cells.toArray(String[]::new);
    }

    static String ms(double millis) {
        return String.format("%.0f ms", millis);
    }

    /** created_at, started_at, finished_at of the recording's run, as epoch milliseconds. */
    private double[] runTimes(Call call) throws Exception {
        try (Connection db = bench.stack.connect();
             PreparedStatement query = db.prepareStatement("""
                     select extract(epoch from created_at) * 1000, extract(epoch from started_at) * 1000,
                            extract(epoch from finished_at) * 1000
                     from recording_runs where business_id = ? and call_sid = ? and status = 'succeeded'
                     order by id desc limit 1""")) {
            query.setLong(1, call.business().id());
            query.setString(2, call.callSid());
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return new double[]{Double.NaN, Double.NaN, Double.NaN};
                }
                return new double[]{row.getDouble(1), row.getDouble(2), row.getDouble(3)};
            }
        }
    }

    /**
     * The provider's own delivery time for a recording scripted as given, of {@code sizeBytes}: the API
     * request with basic auth, the 302, the storage body read to the end without credentials; the median
     * of {@value #DIRECT_FETCHES} after 2 warm-ups. The recordings are the business's account's.
     */
    static double providerDeliveryMillis(BenchStack bench, Business business, String script, long sizeBytes)
            throws Exception {
        Delivery delivery = providerDelivery(bench, business, script, 2, DIRECT_FETCHES);
        if (delivery.bytes() != sizeBytes) {
            throw new IllegalStateException("direct fetch: " + delivery.bytes() + " bytes, not " + sizeBytes);
        }
        return delivery.fullMillis();
    }

    /**
     * The provider's own delivery of a recording, medians in ms from the API request: until the first
     * byte of the audio, until its last; and its size in bytes.
     */
    record Delivery(double firstByteMillis, double fullMillis, long bytes) {
    }

    /**
     * The provider's own delivery of recordings scripted as given, fetched directly at the simulator
     * (the API request with basic auth, the 302, the storage body read to the end without credentials),
     * one new recording of the business's account each time: medians of {@code fetches} after
     * {@code warmUps} not counted. Every fetch must bring the same number of bytes.
     */
    static Delivery providerDelivery(BenchStack bench, Business business, String script, int warmUps, int fetches)
            throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (bench.stack.providerAccountSid() + ":" + bench.stack.providerAuthToken()).getBytes(StandardCharsets.UTF_8));
        List<Double> firstBytes = new ArrayList<>();
        List<Double> full = new ArrayList<>();
        long size = -1;
        for (int i = 0; i < warmUps + fetches; i++) {
            Call direct = new Call(business, Fixtures.sid("CA"), Fixtures.sid("RE"));
            bench.fixtures.script(direct.recordingSid(), script);
            URI api = URI.create(bench.simulatorUrl + direct.providerPath());
            long started = System.nanoTime();
            HttpResponse<Void> redirect = client.send(HttpRequest.newBuilder(api).header("Authorization", basic)
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
            String location = redirect.headers().firstValue("Location").orElseThrow(() ->
                    new IllegalStateException("simulator answered " + redirect.statusCode() + " without Location"));
            HttpResponse<InputStream> body = client.send(HttpRequest.newBuilder(api.resolve(location))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
            long bytes;
            double firstByteMillis;
            try (InputStream in = body.body()) {
                int first = in.read();
                firstByteMillis = (System.nanoTime() - started) / 1e6;
                bytes = first < 0 ? 0 : 1 + in.transferTo(OutputStream.nullOutputStream());
            }
            double millis = (System.nanoTime() - started) / 1e6;
            if (body.statusCode() != 200 || bytes == 0 || (size >= 0 && bytes != size)) {
                throw new IllegalStateException("direct fetch: " + body.statusCode() + ", " + bytes + " bytes"
                        + (size >= 0 ? ", the one before " + size : ""));
            }
            size = bytes;
            if (i >= warmUps) {
                firstBytes.add(firstByteMillis);
                full.add(millis);
            }
        }
        return new Delivery(Report.percentile(firstBytes, 0.5), Report.percentile(full, 0.5), size);
    }
}
