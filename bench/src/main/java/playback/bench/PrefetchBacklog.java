package playback.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import playback.bench.ColdPlayTimer.Play;
import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static playback.bench.ColdPlayTimer.ms;

/**
 * 6. Cold Play under a prefetch backlog. Ten businesses; each has cold recordings reported before its
 * prefetch is turned on (the Play targets, scripted as {@link ColdPlay}'s: {@value ColdPlay#SCRIPT}).
 * First {@value #PLAYS} sequential cold Plays while nothing else runs (idle), timed as {@link ColdPlay}
 * times them; then prefetch goes on for all ten ({@code PUT /api/ops/businesses/{id}/prefetch}) and
 * {@value #BACKLOG_PER_BUSINESS} completed calls per business are reported through the webhooks
 * (recordings scripted {@value #BACKLOG_SCRIPT}), so that about 1,000 background downloads are queued,
 * and while they drain the same number of sequential cold Plays, spread over the ten businesses. The
 * overhead is Play to ready minus the provider's own delivery, measured directly at the simulator in
 * each phase. Two worker replicas, as a deployment runs several.
 * Goal: overhead p50 &lt;= 100 ms, p99 &lt;= 300 ms, idle and under the backlog alike; no account ever
 * has more downloads in flight at the provider than its slot limit; every recording is fetched once.
 */
public final class PrefetchBacklog {

    static final int BUSINESSES = 10;
    static final int PLAYS = 50;
    static final int WARM_UP_PLAYS = 3;
    static final int BACKLOG_PER_BUSINESS = 100;
    static final String BACKLOG_SCRIPT = "{\"latency_ms\":1000,\"size_bytes\":20000}";
    static final int WORKERS = 2;
    /** Webhooks and scripts are sent by this many threads at once, as a provider's callbacks arrive. */
    static final int SENDERS = 8;
    static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(4);
    static final int SLOW_PICKUP_MILLIS = 100;
    static final int SLOWEST_SHOWN = 5;

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        try (BenchStack bench = BenchStack.start("prefetch-backlog", Map.of(), WORKERS)) {
            run(bench);
        }
    }

    /** The background lane at one moment: runs as PostgreSQL has them, the lane's stream as a worker exports it. */
    record Depth(int queued, int running, double streamWaiting, double delayed) {

        int active() {
            return queued + running;
        }

        @Override
        public String toString() {
            return String.format("%d queued + %d running background runs (stream: %.0f waiting; delayed set: %.0f)",
                    queued, running, streamWaiting, delayed);
        }
    }

    static void run(BenchStack bench) throws Exception {
        List<Business> businesses = new ArrayList<>();
        for (int i = 0; i < BUSINESSES; i++) {
            businesses.add(bench.fixtures.business("Backlog bench " + (i + 1)));
        }
        String opsToken = bench.fixtures.operatorToken(businesses.get(0));
        int limit = defaultSlotLimit(bench, opsToken);

        // Play targets are reported while prefetch is off, so they stay cold; round-robin over the businesses.
        List<Call> warmUps = new ArrayList<>();
        for (int i = 0; i < WARM_UP_PLAYS; i++) {
            warmUps.add(bench.fixtures.call(businesses.get(i % BUSINESSES), ColdPlay.SCRIPT));
        }
        List<Call> idleTargets = new ArrayList<>();
        List<Call> backlogTargets = new ArrayList<>();
        for (int i = 0; i < PLAYS; i++) {
            idleTargets.add(bench.fixtures.call(businesses.get(i % BUSINESSES), ColdPlay.SCRIPT));
        }
        for (int i = 0; i < PLAYS; i++) {
            backlogTargets.add(bench.fixtures.call(businesses.get(i % BUSINESSES), ColdPlay.SCRIPT));
        }
        // The backlog's recordings are scripted now; their calls are reported once prefetch is on.
        List<Call> backlog = new ArrayList<>();
        for (int i = 0; i < BUSINESSES * BACKLOG_PER_BUSINESS; i++) {
            backlog.add(new Call(businesses.get(i % BUSINESSES), Fixtures.sid("CA"), Fixtures.sid("RE")));
        }
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS, BenchStack.daemonThreads());
        everyOne(senders, backlog, call -> bench.fixtures.script(call.recordingSid(), BACKLOG_SCRIPT));

        // Direct fetches at the simulator use an account of their own, so that no business's count of
        // downloads in flight includes them.
        Business timing = new Business(0, Fixtures.sid("AC"), "");
        double idleDelivery = ColdPlayTimer.providerDeliveryMillis(bench, timing, ColdPlay.SCRIPT, ColdPlay.SIZE_BYTES);
        ColdPlayTimer timer = new ColdPlayTimer(bench);
        for (Call call : warmUps) {
            timer.play(call);
        }
        List<Play> idle = new ArrayList<>();
        for (Call call : idleTargets) {
            idle.add(timer.play(call));
        }
        System.out.printf("idle: %d cold Plays done; provider delivery %.1f ms%n", idle.size(), idleDelivery);

        for (Business business : businesses) {
            bench.fixtures.prefetch(business, 24);
        }
        long reportStart = System.nanoTime();
        everyOne(senders, backlog, call -> bench.webhooks.completedCall(call.business().accountSid(), call.callSid(),
                call.recordingSid(), 65, 60));
        double reportSeconds = (System.nanoTime() - reportStart) / 1e9;
        int backgroundRuns = bench.fixtures.count("select count(*) from recording_runs where lane = 'background'");
        System.out.printf("backlog: %d completed calls reported in %.1f s (%d threads), %d background runs enqueued%n",
                backlog.size(), reportSeconds, SENDERS, backgroundRuns);

        Depth atStart = depth(bench);
        double backlogDelivery = ColdPlayTimer.providerDeliveryMillis(bench, timing, ColdPlay.SCRIPT, ColdPlay.SIZE_BYTES);
        List<Play> underBacklog = new ArrayList<>();
        for (Call call : backlogTargets) {
            underBacklog.add(timer.play(call));
        }
        Depth atEnd = depth(bench);
        System.out.printf("under the backlog: %d cold Plays done; provider delivery %.1f ms%n", underBacklog.size(),
                backlogDelivery);

        long drainStart = System.nanoTime();
        while (depth(bench).active() > 0) {
            if (System.nanoTime() - drainStart > DRAIN_TIMEOUT.toNanos()) {
                throw new IllegalStateException("the background lane did not drain in " + DRAIN_TIMEOUT.toMinutes()
                        + " min: " + depth(bench));
            }
            Thread.sleep(500);
        }
        double drainedAfter = (System.nanoTime() - reportStart) / 1e9;
        senders.shutdown();

        List<Double> idleOverhead = idle.stream().map(p -> p.total() - idleDelivery).toList();
        List<Double> backlogOverhead = underBacklog.stream().map(p -> p.total() - backlogDelivery).toList();
        boolean idlePass = meetsGoal(idleOverhead);
        boolean backlogPass = meetsGoal(backlogOverhead);

        JsonNode stats = bench.fixtures.simulatorStats();
        List<String> overLimit = new ArrayList<>();
        List<String[]> accounts = new ArrayList<>();
        accounts.add(Report.row("business", "account", "max in flight at the provider", "limit"));
        for (Business business : businesses) {
            int max = stats.path("max_in_flight_by_account").path(business.accountSid()).asInt(0);
            if (max > limit) {
                overLimit.add(business.accountSid());
            }
            accounts.add(Report.row(Long.toString(business.id()), business.accountSid(), Integer.toString(max),
                    Integer.toString(limit)));
        }
        List<Call> targets = new ArrayList<>(warmUps);
        targets.addAll(idleTargets);
        targets.addAll(backlogTargets);
        long targetsOnce = targets.stream().filter(c -> stats.path("fetches").path(c.recordingSid()).asInt(0) == 1).count();
        long backlogOnce = backlog.stream().filter(c -> stats.path("fetches").path(c.recordingSid()).asInt(0) == 1).count();
        boolean fetchedOnce = targetsOnce == targets.size() && backlogOnce == backlog.size();
        boolean pass = idlePass && backlogPass && overLimit.isEmpty() && fetchedOnce;

        System.out.println();
        System.out.println("=== 6. Cold Play under a prefetch backlog (" + BUSINESSES + " businesses, " + PLAYS
                + " sequential cold Plays each phase, " + WORKERS + " workers, after " + WARM_UP_PLAYS
                + " warm-up plays not counted) ===");
        System.out.println(timer.howReadyWasSeen());
        System.out.println("background lane when the Plays under the backlog began: " + atStart);
        System.out.println("background lane when they ended:                       " + atEnd);
        System.out.printf("the backlog (%d background runs) was drained %.1f s after its first call was reported%n",
                backgroundRuns, drainedAfter);
        List<String[]> rows = new ArrayList<>();
        rows.add(Report.row("figure", "idle p50", "p99", "max", "backlog p50", "p99", "max", "goal", "result"));
        rows.add(Report.row("overhead = Play->ready minus provider delivery",
                ms(Report.percentile(idleOverhead, 0.5)), ms(Report.percentile(idleOverhead, 0.99)),
                ms(Report.percentile(idleOverhead, 1.0)), ms(Report.percentile(backlogOverhead, 0.5)),
                ms(Report.percentile(backlogOverhead, 0.99)), ms(Report.percentile(backlogOverhead, 1.0)),
                "p50 <= 100 ms, p99 <= 300 ms", Report.verdict(idlePass) + " / " + Report.verdict(backlogPass)));
        for (String[] part : ColdPlayTimer.breakdown(idle, underBacklog)) {
            rows.add(Report.row(part[0], part[1], part[2], part[3], part[4], part[5], part[6], "", ""));
        }
        rows.add(Report.row("provider delivery alone (subtracted)", ms(idleDelivery), "", "", ms(backlogDelivery), "", "",
                "", ""));
        List<Integer> idleBusy = backgroundRunning(bench, idle);
        List<Integer> backlogBusy = backgroundRunning(bench, underBacklog);
        String threads = downloadThreads(bench);
        rows.add(Report.row("background downloads running when the Play's run was created",
                count(Report.percentile(idleBusy, 0.5)), count(Report.percentile(idleBusy, 0.99)),
                count(Report.percentile(idleBusy, 1.0)), count(Report.percentile(backlogBusy, 0.5)),
                count(Report.percentile(backlogBusy, 0.99)), count(Report.percentile(backlogBusy, 1.0)),
                "of " + threads + " download threads", ""));
        System.out.print(Report.table(rows));
        System.out.println("(the breakdown uses the run's created_at/started_at/finished_at written by PostgreSQL)");
        printSlowestPickups(bench, underBacklog);
        System.out.println();
        System.out.print(Report.table(accounts));
        System.out.printf("most downloads in flight at the provider, per account: %s (limit %d, background at most %d)%n",
                overLimit.isEmpty() ? "never above the limit" : "ABOVE THE LIMIT for " + overLimit, limit, limit - 1);
        System.out.printf("provider fetches: %d of %d Play targets fetched exactly once, %d of %d backlog recordings "
                + "fetched exactly once%n", targetsOnce, targets.size(), backlogOnce, backlog.size());

        Report.save("backlog", "6. Cold Play under a prefetch backlog (" + PLAYS + " sequential, idle / 1,000 prefetches)",
                String.format("idle p50 %s, p99 %s; backlog (%d -> %d queued) p50 %s, p99 %s; max in flight %s; "
                                + "fetched once: %s", ms(Report.percentile(idleOverhead, 0.5)),
                        ms(Report.percentile(idleOverhead, 0.99)), atStart.queued(), atEnd.queued(),
                        ms(Report.percentile(backlogOverhead, 0.5)), ms(Report.percentile(backlogOverhead, 0.99)),
                        overLimit.isEmpty() ? "<= " + limit : "ABOVE " + limit, fetchedOnce ? "yes" : "NO"),
                "p50 <= 100 ms, p99 <= 300 ms, both", pass);
    }

    private static boolean meetsGoal(List<Double> overhead) {
        return Report.percentile(overhead, 0.5) <= 100 && Report.percentile(overhead, 0.99) <= 300;
    }

    private static String count(double value) {
        return String.format("%.0f", value);
    }

    private interface CallTask {
        void run(Call call) throws Exception;
    }

    /** Runs the task for every call on the pool, in the list's order, and waits for all; a failure throws. */
    private static void everyOne(ExecutorService pool, List<Call> calls, CallTask task) throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (Call call : calls) {
            done.add(pool.submit(() -> {
                task.run(call);
                return null;
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
    }

    private static Depth depth(BenchStack bench) throws Exception {
        String worker = bench.workers.get(0).url();
        return new Depth(
                bench.fixtures.count("select count(*) from recording_runs where lane = 'background' and status = 'queued'"),
                bench.fixtures.count("select count(*) from recording_runs where lane = 'background' and status = 'running'"),
                bench.metric(worker, "playback_lane_jobs", "lane=\"background\"", "state=\"waiting\""),
                bench.metric(worker, "playback_queue_jobs", "state=\"delayed\""));
    }

    /** For each Play, how many background downloads were running (claimed, not finished) when its run was created. */
    private static List<Integer> backgroundRunning(BenchStack bench, List<Play> plays) throws Exception {
        List<Integer> running = new ArrayList<>();
        try (Connection db = bench.stack.connect();
             PreparedStatement query = db.prepareStatement("""
                     select count(*) from recording_runs where lane = 'background'
                     and started_at <= to_timestamp(? / 1000.0) and coalesce(finished_at, now()) > to_timestamp(? / 1000.0)""")) {
            for (Play play : plays) {
                query.setDouble(1, play.enqueuedAt());
                query.setDouble(2, play.enqueuedAt());
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    running.add(row.getInt(1));
                }
            }
        }
        return running;
    }

    /**
     * Where a slow Play under the backlog waited: the slowest pickups (run created to claimed), each with
     * what the worker that claimed it was doing meanwhile and when the first background download finished.
     * A claim right after that finish means the Play waited for a download thread held by a prefetch.
     */
    private static void printSlowestPickups(BenchStack bench, List<Play> plays) throws Exception {
        List<Play> slowest = plays.stream().sorted(Comparator.comparingDouble(Play::pickup).reversed())
                .limit(SLOWEST_SHOWN).toList();
        Map<Play, String[]> slowRows = new HashMap<>();
        int waitedForThread = 0;
        try (Connection db = bench.stack.connect();
             PreparedStatement query = db.prepareStatement("""
                     with p as (select created_at c, started_at s, worker w from recording_runs
                                where business_id = ? and call_sid = ? and status = 'succeeded' order by id desc limit 1)
                     select p.w,
                       (select count(*) from recording_runs r where r.worker = p.w and r.lane = 'background'
                          and r.started_at <= p.c and r.finished_at > p.c),
                       (select count(*) from recording_runs r where r.worker = p.w and r.lane = 'background'
                          and r.started_at > p.c and r.started_at < p.s),
                       (select extract(epoch from min(r.finished_at) - p.c) * 1000 from recording_runs r
                          where r.lane = 'background' and r.finished_at > p.c)
                     from p""")) {
            for (Play play : plays) {
                query.setLong(1, play.call().business().id());
                query.setString(2, play.call().callSid());
                try (ResultSet row = query.executeQuery()) {
                    row.next();
                    double firstFinish = row.getDouble(4);
                    boolean afterAFinish = !row.wasNull() && play.pickup() > SLOW_PICKUP_MILLIS
                            && play.pickup() >= firstFinish && play.pickup() - firstFinish <= SLOW_PICKUP_MILLIS;
                    if (afterAFinish) {
                        waitedForThread++;
                    }
                    if (slowest.contains(play)) {
                        slowRows.put(play, Report.row(ms(play.pickup()), row.getString(1), Long.toString(row.getLong(2)),
                                Long.toString(row.getLong(3)), row.wasNull() ? "-" : "+" + ms(firstFinish)));
                    }
                }
            }
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(Report.row("pickup", "worker that claimed it", "its background downloads running at creation",
                "background runs it claimed meanwhile", "first background download finished (any worker)"));
        slowest.forEach(play -> rows.add(slowRows.get(play)));
        long slow = plays.stream().filter(p -> p.pickup() > SLOW_PICKUP_MILLIS).count();
        System.out.printf("%nunder the backlog, %d of %d Plays were claimed more than %d ms after their run was created; "
                        + "%d of them within %d ms after the first background download to finish after it (waiting "
                        + "for a download thread). The slowest %d:%n", slow, plays.size(), SLOW_PICKUP_MILLIS,
                waitedForThread, SLOW_PICKUP_MILLIS, slowest.size());
        System.out.print(Report.table(rows));
    }

    /** The worker's download threads, from its start-up line ("N concurrent downloads"), times the replicas. */
    private static String downloadThreads(BenchStack bench) throws IOException {
        Matcher line = Pattern.compile("(\\d+) concurrent downloads")
                .matcher(Files.readString(bench.work.resolve("logs/worker.log")));
        return line.find() ? WORKERS + " x " + line.group(1) : WORKERS + " x playback.worker.concurrency";
    }

    /** The slot limit of a business without its own: the operations overview's {@code default_limit}. */
    private static int defaultSlotLimit(BenchStack bench, String opsToken) throws Exception {
        HttpResponse<String> answer = bench.http.send(HttpRequest.newBuilder(URI.create(bench.apiUrl + "/api/ops/overview"))
                .header("Authorization", "Bearer " + opsToken).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("operations overview answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body()).path("default_limit").asInt();
    }
}
