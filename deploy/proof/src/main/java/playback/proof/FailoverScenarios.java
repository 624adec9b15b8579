package playback.proof;

import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.proof.PlayProbes.Answer;
import playback.proof.PlayProbes.Window;
import playback.proof.Scenario.Result;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static playback.proof.Checks.await;
import static playback.proof.Checks.check;
import static playback.proof.Checks.pause;
import static playback.proof.Checks.secondsSince;
import static playback.proof.Checks.shortId;
import static playback.proof.Playback.count;
import static playback.proof.Playback.map;
import static playback.proof.Playback.quoted;

/**
 * The replicated deployment (deploy/compose.ha.yml) loses a server to kill -9 while cold Plays go on
 * ({@link PlayProbes}): the Redis primary (9), then the PostgreSQL primary (10). Each time the watchers
 * (the sentinels, the pg_auto_failover monitor) put the other server in its place, Plays are answered 2xx
 * again after a short window, a cold Play started afterwards ends ready and its status long-poll says so
 * at once, and nothing done before is lost: recordings ready before are still served, and every Play
 * answered 2xx ends ready.
 */
final class FailoverScenarios {

    /** The provider serves each recording of these scenarios after 200 ms. */
    private static final String PROVIDER = "{\"latency_ms\":200,\"size_bytes\":50000}";
    /** Enough new recordings for a Play every {@link PlayProbes#PACE} until the longest deadline. */
    private static final int PROBE_CALLS = 200;
    private static final Duration REPLICATED_WITHIN = Duration.ofSeconds(90);
    /** The cold Play after the switch: its status long-poll answers ready within this (the provider takes 200 ms). */
    private static final Duration TOLD_WITHIN = Duration.ofSeconds(10);

    private final Deployment deployment;
    private final Playback playback;
    private final ReplicatedServers servers;

    FailoverScenarios(Deployment deployment, Playback playback, ReplicatedServers servers) {
        this.deployment = deployment;
        this.playback = playback;
        this.servers = servers;
    }

    /**
     * 9. kill -9 of the Redis primary's container: the sentinels promote the replica (5 s to agree it is
     * down); Plays are answered 2xx again within 10 s of the first that was not.
     */
    Result redisPrimaryKilled() throws Exception {
        check(await(REPLICATED_WITHIN, servers::redisReplicated),
                "Redis is not a primary with its replica watched by 3 sentinels: " + servers.redisMaster("sentinel-1"));
        String primary = servers.redisPrimary();
        Before before = before("Redis failover");
        Killed killed = kill(primary, before, () -> {
            String now = servers.redisPrimary();
            return now.isEmpty() || now.equals(primary) ? null : now;
        }, Duration.ofSeconds(12), Duration.ofSeconds(60));
        After after = after(before, killed);
        double limit = 10;
        boolean passed = killed.replacement() != null && killed.window().closed() && killed.window().seconds() <= limit
                && after.passed();
        return new Result(passed, String.format("killed the Redis primary %s (container %s); the sentinels made %s "
                        + "the primary %s; %s (goal <= %.0f s); %s", primary, shortId(killed.container()),
                killed.replacement(), killed.replacedAfter(), killed.window().figures(killed.at()), limit,
                after.figures()));
    }

    /**
     * 10. kill -9 of the PostgreSQL primary's container: the monitor promotes the synchronous standby; during
     * the switch Plays are answered 503 with a JSON body and Retry-After (never 500), 2xx again within 30 s,
     * and nothing committed before is lost.
     */
    Result postgresPrimaryKilled() throws Exception {
        check(await(REPLICATED_WITHIN, servers::postgresReplicated),
                "PostgreSQL is not a primary with its standby: " + servers.postgresStates());
        String primary = servers.postgresPrimary();
        String sync = servers.standbySync();
        Before before = before("PostgreSQL failover");
        Killed killed = kill(primary, before, () -> {
            String now = servers.postgresPrimaryOtherThan(primary);
            return now.isEmpty() ? null : now;
        }, Duration.ofSeconds(20), Duration.ofSeconds(75));
        List<Answer> bad = killed.window().bad();
        List<Answer> notRetryable = bad.stream().filter(a -> !retryable(a)).toList();
        long errors = bad.stream().filter(a -> a.status() >= 500 && a.status() != 503).count();
        After after = after(before, killed);
        String calls = deployment.sql("select count(*) from call_logs where call_sid in (" + quoted(before.created()) + ")");
        boolean kept = calls.equals(String.valueOf(before.created().size()));
        double limit = 30;
        boolean passed = !sync.equals("none") && killed.replacement() != null && killed.window().closed()
                && killed.window().seconds() <= limit && notRetryable.isEmpty() && after.passed() && kept;
        return new Result(passed, String.format("killed the PostgreSQL primary %s (container %s; standby %s); the "
                        + "monitor made %s the primary %s; %s (goal <= %.0f s); non-2xx answered 503 with a JSON body "
                        + "and Retry-After: %d of %d (5xx other than 503: %d%s); %s; calls committed before the kill "
                        + "still there: %s of %d", primary, shortId(killed.container()), sync, killed.replacement(),
                killed.replacedAfter(), killed.window().figures(killed.at()), limit, bad.size() - notRetryable.size(),
                bad.size(), errors, notRetryable.isEmpty() ? "" : "; first other: " + describe(notRetryable.get(0)),
                after.figures(), calls, before.created().size()));
    }

    /**
     * What a scenario prepares: recordings ready before the kill, new recordings to Play, and a business of
     * its own for the cold Play after (its slots free of the others' downloads).
     */
    private record Before(List<Call> ready, List<Call> probes, List<Call> created, Business after) {
    }

    /**
     * 10 businesses (3 slots each), 2 recordings played to ready, and {@link #PROBE_CALLS} completed calls
     * whose recordings nobody played yet; and one more business.
     */
    private Before before(String name) throws Exception {
        List<Business> all = playback.businesses(name, 11);
        List<Business> businesses = all.subList(0, 10);
        List<Call> ready = playback.calls(businesses.subList(0, 2), 1, PROVIDER);
        for (Call call : ready) {
            check(playback.play(call).statusCode() == 202, "a Play before the kill was not answered 202");
        }
        check(playback.awaitStatus(ready, "ready", Duration.ofSeconds(60)), "not ready before the kill: "
                + playback.statuses(ready));
        List<Call> probes = playback.calls(businesses, PROBE_CALLS / businesses.size(), PROVIDER);
        List<Call> created = new ArrayList<>(ready);
        created.addAll(probes);
        return new Before(ready, probes, created, all.get(10));
    }

    /** A kill and the Plays around it. */
    private record Killed(String container, long at, String replacement, double replacedSeconds, Window window) {

        String replacedAfter() {
            return replacement == null ? "never" : String.format("%.1f s after the kill", replacedSeconds);
        }
    }

    /**
     * Plays start; once 5 were answered 2xx, kill -9 of the service's container; the Plays go on until they
     * have been 2xx for 5 s, at least {@code observe} after the kill (or until the deadline), while
     * {@code replacement} is polled for the server taking its place.
     */
    private Killed kill(String service, Before before, Supplier<String> replacement, Duration observe,
                        Duration deadline) throws Exception {
        String container = servers.container(service);
        try (PlayProbes probes = new PlayProbes(playback, before.probes())) {
            probes.start();
            check(probes.awaitAnswered(5, Duration.ofSeconds(30)), "Plays before the kill: " + Window.of(probes.answered()).kinds());
            long at = System.nanoTime();
            deployment.engine(Duration.ofSeconds(30), "kill", "-s", "KILL", container);
            CompletableFuture<Killed> replaced = CompletableFuture.supplyAsync(() -> {
                long end = at + deadline.toNanos();
                while (System.nanoTime() < end) {
                    String now;
                    try {
                        now = replacement.get();
                    } catch (IllegalStateException e) {
                        now = null;
                    }
                    if (now != null) {
                        return new Killed(container, at, now, secondsSince(at), null);
                    }
                    pause(250);
                }
                return new Killed(container, at, null, secondsSince(at), null);
            });
            List<Answer> answers = probes.untilSteady(at, observe, Duration.ofSeconds(5), deadline);
            Killed by = replaced.join();
            return new Killed(container, at, by.replacement(), by.replacedSeconds(), Window.of(answers));
        }
    }

    /** After the kill: a cold Play, the recordings ready before, the Plays answered 2xx. */
    private record After(boolean passed, String figures) {
    }

    private After after(Before before, Killed killed) throws Exception {
        Call cold = playback.call(before.after(), PROVIDER);
        long started = System.nanoTime();
        double playedAt = System.currentTimeMillis() / 1000.0;
        HttpResponse<String> played = playback.play(cold);
        Map<String, Object> status = playback.status(cold, "?wait=30");
        double answeredSeconds = secondsSince(started);
        Object answered = status.get("status");
        if (!"ready".equals(answered)) {
            status = playback.status(cold, "?wait=30");
        }
        boolean coldReady = played.statusCode() == 202 && "ready".equals(status.get("status"));
        // The player learns of ready through this long-poll: answered at its end, it waited for nothing.
        boolean told = "ready".equals(answered) && answeredSeconds <= TOLD_WITHIN.toSeconds();
        String readyAfter = coldReady ? String.format("%.1f s", playback.lastReadyAt(List.of(cold)) - playedAt) : "never";
        long stillReady = before.ready().stream().filter(call -> {
            Map<String, Object> now = playback.status(call, "");
            String url = (String) now.get("stream_url");
            return "ready".equals(now.get("status")) && url != null
                    && playback.bytes(url, "bytes=0-999").statusCode() == 206;
        }).count();
        List<Call> queued = killed.window().good().stream().map(Answer::call).toList();
        playback.awaitStatus(queued, "ready", Duration.ofSeconds(90));
        long queuedReady = count(playback.statuses(queued), "ready");
        boolean passed = coldReady && told && stillReady == before.ready().size() && queuedReady == queued.size();
        return new After(passed, String.format("a cold Play after: %d, ready %s later (recording_ready_at), its "
                        + "status long-poll (wait=30) answered %s after %.1f s%s (limit %d s); ready before the kill and served (206) "
                        + "after: %d of %d; recordings of the Plays answered 2xx, ready: %d of %d",
                played.statusCode(), readyAfter, answered, answeredSeconds,
                answeredSeconds >= 29 ? " (at its end: not woken when the recording became ready)" : "",
                TOLD_WITHIN.toSeconds(), stillReady,
                before.ready().size(), queuedReady, queued.size()));
    }

    /** A 503 with a JSON body and Retry-After: the answer of a Play while the database switches. */
    private static boolean retryable(Answer answer) {
        if (answer.status() != 503 || answer.retryAfter() == null || !answer.contentType().startsWith("application/json")) {
            return false;
        }
        try {
            map(Playback.json(answer.body()));
            return true;
        } catch (AssertionError | ClassCastException e) {
            return false;
        }
    }

    private static String describe(Answer answer) {
        String body = answer.error() != null ? answer.error() : answer.body();
        return answer.kind() + " " + answer.contentType() + " Retry-After " + answer.retryAfter() + " "
                + (body.length() > 200 ? body.substring(0, 200) + "..." : body);
    }
}
