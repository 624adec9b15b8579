package playback.bench;

import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static playback.bench.ColdPlayTimer.ms;

/**
 * 7. Hit ratio with prefetch. Two businesses with prefetch on for the last 24 h, and traffic like the
 * demo's: calls of 20 s to 5 min complete one every {@value #CALL_EVERY_MILLIS} ms per business for
 * {@value #ARRIVAL_SECONDS} s (their recordings scripted {@value #SCRIPT}, with the call's duration: real
 * MP3 of 0.3 to 4.8 MB), reported through the signed webhooks. From {@value #MIN_AGE_SECONDS} s on,
 * {@value #USERS_PER_BUSINESS} users per business press Play, each every 1 to 3 s, on calls that
 * completed more than {@value #MIN_AGE_SECONDS} s earlier: mostly the newest such call nobody has played
 * yet, sometimes ({@value #RELISTEN_PERCENT} %) a re-listen of one already played. A Play is warm when its
 * explicit request ({@code GET /stream?explicit_user_action=true}) is answered with the audio (200 or 206,
 * or a redirect to the store's URL) rather than a {@code 202}; its first byte time is from the request to
 * the first audio byte. The api's {@code playback_plays_answered_total{cache}} is shown as a cross-check.
 * Goal: at least 95 % warm, warm first byte p50 &lt;= 50 ms.
 */
public final class PrefetchHits {

    static final int BUSINESSES = 2;
    static final int USERS_PER_BUSINESS = 2;
    static final int ARRIVAL_SECONDS = 120;
    static final long CALL_EVERY_MILLIS = 1500;
    static final int MIN_AGE_SECONDS = 60;
    /** Plays go on this long after the last call completed. */
    static final int TAIL_SECONDS = 30;
    static final int RELISTEN_PERCENT = 25;
    static final String SCRIPT = "{\"latency_ms\":1000,\"bytes_per_second\":4000000,\"duration_seconds\":%d}";
    static final double WARM_GOAL = 0.95;
    static final double FIRST_BYTE_GOAL_MILLIS = 50;

    public static void main(String[] args) throws Exception {
        try (BenchStack bench = BenchStack.start("prefetch-hits")) {
            run(bench);
        }
    }

    /** A call as it completed: when the provider's webhooks were answered (epoch ms). */
    record Completed(Call call, long at) {
    }

    /** One Play: the stream's answer, the first byte time (warm ones), the call's age, a re-listen or not. */
    record Play(Completed call, int status, double firstByteMillis, double ageSeconds, boolean relisten, long at) {

        boolean warm() {
            return status == 200 || status == 206 || (status >= 300 && status < 400);
        }
    }

    static void run(BenchStack bench) throws Exception {
        List<Business> businesses = new ArrayList<>();
        for (int i = 0; i < BUSINESSES; i++) {
            businesses.add(bench.fixtures.business("Hits bench " + (i + 1)));
        }
        for (Business business : businesses) {
            bench.fixtures.prefetch(business, 24);
        }
        double warmBefore = bench.metric(bench.apiUrl, "playback_plays_answered_total", "cache=\"warm\"");
        double coldBefore = bench.metric(bench.apiUrl, "playback_plays_answered_total", "cache=\"cold\"");

        List<List<Completed>> completed = new ArrayList<>();
        for (int i = 0; i < BUSINESSES; i++) {
            completed.add(new CopyOnWriteArrayList<>());
        }
        List<Play> plays = new CopyOnWriteArrayList<>();
        long start = System.currentTimeMillis();
        long end = start + (ARRIVAL_SECONDS + TAIL_SECONDS) * 1000L;
        ExecutorService threads = Executors.newCachedThreadPool(BenchStack.daemonThreads());
        List<Future<?>> running = new ArrayList<>();
        running.add(threads.submit(() -> {
            arrivals(bench, businesses, completed, start);
            return null;
        }));
        for (int b = 0; b < BUSINESSES; b++) {
            for (int u = 0; u < USERS_PER_BUSINESS; u++) {
                List<Completed> calls = completed.get(b);
                Random random = new Random(1000L * b + u);
                long firstPlay = start + MIN_AGE_SECONDS * 1000L + random.nextInt(2000);
                running.add(threads.submit(() -> {
                    user(bench, calls, plays, random, firstPlay, end);
                    return null;
                }));
            }
        }
        for (Future<?> future : running) {
            future.get();
        }
        threads.shutdown();

        double warmMetric = bench.metric(bench.apiUrl, "playback_plays_answered_total", "cache=\"warm\"") - warmBefore;
        double coldMetric = bench.metric(bench.apiUrl, "playback_plays_answered_total", "cache=\"cold\"") - coldBefore;
        List<Play> warm = plays.stream().filter(Play::warm).toList();
        List<Play> first = plays.stream().filter(p -> !p.relisten()).toList();
        List<Play> relistens = plays.stream().filter(Play::relisten).toList();
        double ratio = warm.size() / (double) Math.max(1, plays.size());
        List<Double> firstBytes = warm.stream().map(Play::firstByteMillis).toList();
        double p50 = Report.percentile(firstBytes, 0.5);
        boolean pass = !plays.isEmpty() && ratio >= WARM_GOAL && p50 <= FIRST_BYTE_GOAL_MILLIS;
        int reported = completed.stream().mapToInt(List::size).sum();

        System.out.println();
        System.out.println("=== 7. Hit ratio with prefetch (" + BUSINESSES + " businesses, a call completing every "
                + CALL_EVERY_MILLIS + " ms per business for " + ARRIVAL_SECONDS + " s, " + BUSINESSES * USERS_PER_BUSINESS
                + " users playing calls older than " + MIN_AGE_SECONDS + " s) ===");
        System.out.printf("%d calls reported; %d Plays (%d first listens, %d re-listens) of calls %s to %s s old "
                        + "(median %.0f s)%n", reported, plays.size(), first.size(), relistens.size(),
                count(Report.percentile(plays.stream().map(Play::ageSeconds).toList(), 0.0)),
                count(Report.percentile(plays.stream().map(Play::ageSeconds).toList(), 1.0)),
                Report.percentile(plays.stream().map(Play::ageSeconds).toList(), 0.5));
        List<String[]> rows = new ArrayList<>();
        rows.add(Report.row("figure", "value", "goal", "result"));
        rows.add(Report.row("Plays answered warm (audio, not 202)", String.format("%.1f %% (%d of %d)", 100 * ratio,
                warm.size(), plays.size()), ">= 95 %", Report.verdict(ratio >= WARM_GOAL)));
        rows.add(Report.row("  first listens warm", share(first), "", ""));
        rows.add(Report.row("  re-listens warm", share(relistens), "", ""));
        rows.add(Report.row("warm first byte p50 (request -> first audio byte)", ms(p50), "<= 50 ms",
                Report.verdict(p50 <= FIRST_BYTE_GOAL_MILLIS)));
        rows.add(Report.row("warm first byte p99 / max", ms(Report.percentile(firstBytes, 0.99)) + " / "
                + ms(Report.percentile(firstBytes, 1.0)), "", ""));
        rows.add(Report.row("answers of the explicit Play", statuses(plays), "", ""));
        rows.add(Report.row("api playback_plays_answered_total, during the run", String.format("warm %.0f, cold %.0f",
                warmMetric, coldMetric), "", ""));
        rows.add(Report.row("background runs: enqueued / succeeded", bench.fixtures.count(
                        "select count(*) from recording_runs where lane = 'background' and attempt = 1") + " / "
                        + bench.fixtures.count("select count(*) from recording_runs where lane = 'background' and status = 'succeeded'"),
                "", ""));
        List<Double> prefetchTimes = prefetchTimes(bench);
        rows.add(Report.row("prefetch: webhook -> ready, p50 / p99 / max", ms(Report.percentile(prefetchTimes, 0.5))
                + " / " + ms(Report.percentile(prefetchTimes, 0.99)) + " / " + ms(Report.percentile(prefetchTimes, 1.0)),
                "", ""));
        rows.add(Report.row("prefetches promoted by a Play (api playback_promotions_total)",
                String.format("%.0f", bench.metric(bench.apiUrl, "playback_promotions_total")), "", ""));
        System.out.print(Report.table(rows));
        List<Play> cold = plays.stream().filter(p -> !p.warm()).toList();
        if (!cold.isEmpty()) {
            System.out.println("Plays not answered warm (the call's runs at the time of the Play):");
            for (Play play : cold.subList(0, Math.min(10, cold.size()))) {
                System.out.printf("  %s, %.0f s old, answered %d: %s%n", play.call().call().callSid(), play.ageSeconds(),
                        play.status(), runs(bench, play));
            }
        }

        Report.save("hits", "7. Hit ratio with prefetch (demo-like traffic, Plays of calls > 60 s old)",
                String.format("%.1f %% warm (%d of %d, api: warm %.0f, cold %.0f); warm first byte p50 %s, p99 %s",
                        100 * ratio, warm.size(), plays.size(), warmMetric, coldMetric, ms(p50),
                        ms(Report.percentile(firstBytes, 0.99))),
                ">= 95 % warm, first byte p50 <= 50 ms", pass);
    }

    /** Each business's calls complete one every CALL_EVERY_MILLIS, the businesses' arrivals interleaved. */
    private static void arrivals(BenchStack bench, List<Business> businesses, List<List<Completed>> completed, long start)
            throws Exception {
        int perBusiness = (int) (ARRIVAL_SECONDS * 1000L / CALL_EVERY_MILLIS);
        for (int i = 0; i < perBusiness; i++) {
            for (int b = 0; b < BUSINESSES; b++) {
                long due = start + i * CALL_EVERY_MILLIS + b * CALL_EVERY_MILLIS / BUSINESSES;
                sleepUntil(due);
                int seconds = 20 + (i * 53 + b * 97) % 280;
                Call call = new Call(businesses.get(b), Fixtures.sid("CA"), Fixtures.sid("RE"));
                bench.fixtures.script(call.recordingSid(), String.format(SCRIPT, seconds));
                bench.webhooks.completedCall(call.business().accountSid(), call.callSid(), call.recordingSid(),
                        seconds + 5, seconds);
                completed.get(b).add(new Completed(call, System.currentTimeMillis()));
            }
        }
    }

    /** A user of one business: Plays calls older than MIN_AGE_SECONDS, recent ones first, sometimes a re-listen. */
    private static void user(BenchStack bench, List<Completed> calls, List<Play> plays, Random random, long firstPlay,
                             long end) throws Exception {
        sleepUntil(firstPlay);
        while (System.currentTimeMillis() < end) {
            long now = System.currentTimeMillis();
            List<Completed> old = calls.stream().filter(c -> now - c.at() >= MIN_AGE_SECONDS * 1000L).toList();
            Optional<Completed> newestUnplayed = old.stream().filter(c -> !playedByAnyone(plays, c))
                    .reduce((a, b) -> b);
            List<Completed> heard = old.stream().filter(c -> playedByAnyone(plays, c)).toList();
            Completed choice;
            boolean relisten;
            if (!heard.isEmpty() && (newestUnplayed.isEmpty() || random.nextInt(100) < RELISTEN_PERCENT)) {
                choice = heard.get(random.nextInt(heard.size()));
                relisten = true;
            } else if (newestUnplayed.isPresent()) {
                choice = newestUnplayed.get();
                relisten = false;
            } else {
                Thread.sleep(200);
                continue;
            }
            plays.add(play(bench, choice, relisten));
            Thread.sleep(1000 + random.nextInt(2000));
        }
    }

    private static boolean playedByAnyone(List<Play> plays, Completed call) {
        return plays.stream().anyMatch(p -> p.call() == call);
    }

    /**
     * The explicit Play as the UI sends it; for an answer with the audio, the time until its first byte
     * (a redirect to the store is followed, without the Authorization header, as a browser does).
     */
    private static Play play(BenchStack bench, Completed call, boolean relisten) throws IOException, InterruptedException {
        long at = System.currentTimeMillis();
        long sent = System.nanoTime();
        HttpResponse<InputStream> answer = bench.http.send(bench.playRequest(call.call()),
                HttpResponse.BodyHandlers.ofInputStream());
        if (answer.statusCode() >= 300 && answer.statusCode() < 400) {
            URI location = answer.request().uri().resolve(answer.headers().firstValue("Location").orElseThrow());
            answer.body().close();
            answer = bench.http.send(HttpRequest.newBuilder(location).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        }
        double firstByte = Double.NaN;
        try (InputStream body = answer.body()) {
            if (answer.statusCode() == 200 || answer.statusCode() == 206) {
                int b = body.read();
                firstByte = (System.nanoTime() - sent) / 1e6;
                String type = answer.headers().firstValue("Content-Type").orElse("");
                if (b < 0 || !type.startsWith("audio/")) {
                    throw new IllegalStateException("a " + answer.statusCode() + " of " + call.call().callSid()
                            + " without audio: " + type);
                }
            }
        }
        return new Play(call, answer.statusCode(), firstByte, (at - call.at()) / 1000.0, relisten, at);
    }

    private static String share(List<Play> plays) {
        long warm = plays.stream().filter(Play::warm).count();
        return String.format("%.1f %% (%d of %d)", 100.0 * warm / Math.max(1, plays.size()), warm, plays.size());
    }

    private static String statuses(List<Play> plays) {
        Map<Integer, Integer> byStatus = new TreeMap<>();
        plays.forEach(p -> byStatus.merge(p.status(), 1, Integer::sum));
        return byStatus.toString();
    }

    private static String count(double value) {
        return String.format("%.0f", value);
    }

    /** Background runs that stored their recording: created (the webhook) to finished, in ms. */
    private static List<Double> prefetchTimes(BenchStack bench) throws Exception {
        List<Double> times = new ArrayList<>();
        try (Connection db = bench.stack.connect();
             PreparedStatement query = db.prepareStatement("""
                     select extract(epoch from finished_at - created_at) * 1000 from recording_runs
                     where lane = 'background' and status = 'succeeded'""");
             ResultSet row = query.executeQuery()) {
            while (row.next()) {
                times.add(row.getDouble(1));
            }
        }
        return times;
    }

    /** The call's runs, each with its lane, status and times relative to the Play (ms). */
    private static String runs(BenchStack bench, Play play) throws Exception {
        List<String> runs = new ArrayList<>();
        try (Connection db = bench.stack.connect();
             PreparedStatement query = db.prepareStatement("""
                     select lane, status, attempt, coalesce(error, ''),
                            extract(epoch from created_at) * 1000 - ?, extract(epoch from started_at) * 1000 - ?,
                            extract(epoch from finished_at) * 1000 - ?
                     from recording_runs where business_id = ? and call_sid = ? order by id""")) {
            for (int i = 1; i <= 3; i++) {
                query.setDouble(i, play.at());
            }
            query.setLong(4, play.call().call().business().id());
            query.setString(5, play.call().call().callSid());
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    runs.add(String.format("%s run %s (attempt %d%s): created %+.0f ms, started %s, finished %s",
                            row.getString(1), row.getString(2), row.getInt(3),
                            row.getString(4).isEmpty() ? "" : ", " + row.getString(4), row.getDouble(5),
                            relative(row, 6), relative(row, 7)));
                }
            }
        }
        return runs.isEmpty() ? "no run" : String.join("; ", runs);
    }

    private static String relative(ResultSet row, int column) throws Exception {
        double value = row.getDouble(column);
        return row.wasNull() ? "-" : String.format("%+.0f ms", value);
    }

    private static void sleepUntil(long epochMillis) throws InterruptedException {
        long wait = epochMillis - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }
}
