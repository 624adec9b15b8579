package playback.bench;

import playback.bench.ColdPlayTimer.Play;
import playback.devstack.Fixtures.Business;

import java.util.ArrayList;
import java.util.List;

import static playback.bench.ColdPlayTimer.ms;

/**
 * 1. Cold Play overhead. For 50 recordings, one after the other: the time from the explicit Play
 * ({@code GET /stream?explicit_user_action=true}, answered 202) until {@code ready} is seen through the
 * long-poll ({@code GET /status?wait=30}), minus the provider's own delivery time. Every recording is
 * scripted {@value #SCRIPT}; the delivery time of such a recording is measured directly at the
 * simulator (basic auth, 302 followed without credentials, body read) and its median subtracted
 * ({@link ColdPlayTimer}, which the prefetch backlog benchmark shares).
 * Goal: p50 &lt;= 100 ms, p99 &lt;= 300 ms.
 */
public final class ColdPlay {

    static final String SCRIPT = "{\"latency_ms\":200,\"size_bytes\":100000}";
    static final long SIZE_BYTES = 100_000;
    static final int RECORDINGS = 50;
    static final int WARM_UP_PLAYS = 3;

    public static void main(String[] args) throws Exception {
        try (BenchStack bench = BenchStack.start("cold-play")) {
            run(bench);
        }
    }

    static void run(BenchStack bench) throws Exception {
        Business business = bench.fixtures.business("Cold play bench");

        double delivery = ColdPlayTimer.providerDeliveryMillis(bench, business, SCRIPT, SIZE_BYTES);
        System.out.printf("provider delivery of %s, measured directly (median of %d after 2 warm-up): %.1f ms%n",
                SCRIPT, ColdPlayTimer.DIRECT_FETCHES, delivery);

        ColdPlayTimer timer = new ColdPlayTimer(bench);
        for (int i = 0; i < WARM_UP_PLAYS; i++) {
            timer.play(bench.fixtures.call(business, SCRIPT));
        }
        List<Play> plays = new ArrayList<>();
        for (int i = 0; i < RECORDINGS; i++) {
            plays.add(timer.play(bench.fixtures.call(business, SCRIPT)));
        }

        List<Double> overhead = plays.stream().map(p -> p.total() - delivery).toList();
        double p50 = Report.percentile(overhead, 0.50);
        double p99 = Report.percentile(overhead, 0.99);
        boolean pass = p50 <= 100 && p99 <= 300;

        System.out.println();
        System.out.println("=== 1. Cold Play overhead (" + RECORDINGS + " recordings, sequential, after "
                + WARM_UP_PLAYS + " warm-up plays not counted) ===");
        System.out.println(timer.howReadyWasSeen());
        List<String[]> rows = new ArrayList<>();
        rows.add(Report.row("figure", "p50", "p99", "max", "goal", "result"));
        rows.add(Report.row("overhead = Play->ready minus provider delivery", ms(p50), ms(p99),
                ms(Report.percentile(overhead, 1.0)), "p50 <= 100 ms, p99 <= 300 ms", Report.verdict(pass)));
        for (String[] part : ColdPlayTimer.breakdown(plays)) {
            rows.add(Report.row(part[0], part[1], part[2], part[3], "", ""));
        }
        rows.add(Report.row("provider delivery alone (subtracted)", ms(delivery), "", "", "", ""));
        System.out.print(Report.table(rows));
        System.out.println("(the breakdown uses the run's created_at/started_at/finished_at written by PostgreSQL)");

        Report.save("cold", "1. Cold Play overhead (50 sequential)",
                String.format("p50 %s, p99 %s (delivery %s subtracted%s)", ms(p50), ms(p99), ms(delivery),
                        timer.longPollHonoured() ? ", long-poll" : ", 20 ms polling: wait not honoured"),
                "p50 <= 100 ms, p99 <= 300 ms", pass);
    }
}
