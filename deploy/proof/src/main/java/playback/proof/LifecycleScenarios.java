package playback.proof;

import playback.devstack.Fixtures.Call;
import playback.proof.Scenario.Result;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static playback.proof.Checks.await;
import static playback.proof.Checks.check;
import static playback.proof.Checks.pause;
import static playback.proof.Checks.secondsSince;
import static playback.proof.Playback.count;
import static playback.proof.Playback.fetchesOf;
import static playback.proof.Playback.map;
import static playback.proof.Playback.number;
import static playback.proof.Playback.quoted;

/** The deployment as a whole goes down and up (5); its workers are scaled down and up under load (6). */
final class LifecycleScenarios {

    private final Settings settings;
    private final Deployment deployment;
    private final Playback playback;
    private final RunState state;

    LifecycleScenarios(Settings settings, Deployment deployment, Playback playback, RunState state) {
        this.settings = settings;
        this.deployment = deployment;
        this.playback = playback;
        this.state = state;
    }

    /**
     * 5. The deployment goes down (volumes kept) while a backlog is queued, and up again: what was ready
     * is still ready and served (the same bytes, on the URL signed before), the queued work resumes.
     */
    Result downAndUp() throws Exception {
        RunState.Played cold = state.cold;
        check(cold != null, "scenario 1 did not leave a ready recording");
        deployment.scale(1);
        List<Call> calls = playback.calls(state.backlog.subList(0, 4), 8, "{\"latency_ms\":2000,\"size_bytes\":100000}");
        for (Call call : calls) {
            check(playback.play(call).statusCode() == 202, "a play was not answered 202");
        }
        await(Duration.ofSeconds(30), () -> count(playback.statuses(calls), "ready") >= 4);
        Map<String, String> before = playback.statuses(calls);
        long down = System.nanoTime();
        deployment.compose(Duration.ofMinutes(3), "down");
        double downSeconds = secondsSince(down);
        long up = System.nanoTime();
        deployment.compose(Duration.ofMinutes(5), "up", "-d", "--scale", "worker=1");
        deployment.awaitHealthy("api", 1, Deployment.HEALTHY_WITHIN);
        double apiSeconds = secondsSince(up);
        deployment.scale(3);
        state.figures.put("stack up, with data", String.format("%.1f s to the api healthy, %.1f s to 3 workers healthy",
                apiSeconds, secondsSince(up)));
        HttpResponse<byte[]> range = playback.bytes(cold.streamUrl(), "bytes=1000-4999");
        HttpResponse<byte[]> whole = playback.bytes(cold.streamUrl(), null);
        boolean served = range.statusCode() == 206 && Arrays.equals(range.body(), Arrays.copyOfRange(cold.body(), 1000, 5000))
                && whole.statusCode() == 200 && Arrays.equals(whole.body(), cold.body());
        boolean resumed = playback.awaitStatus(calls, "ready", Duration.ofSeconds(120));
        double resumeSeconds = secondsSince(up);
        Map<String, Object> fetches = playback.fetches();
        List<Call> readyBefore = calls.stream().filter(c -> "ready".equals(before.get(c.callSid()))).toList();
        boolean readyNotFetchedAgain = readyBefore.stream().allMatch(c -> fetchesOf(fetches, c) == 0);
        String doubleStored = deployment.sql("select count(*) from (select call_sid from recording_runs where status = "
                + "'succeeded' and call_sid in (" + quoted(calls) + ") group by call_sid having count(*) > 1) twice");
        boolean passed = served && resumed && readyNotFetchedAgain && doubleStored.equals("0");
        return new Result(passed, String.format("down with %d ready, %d queued or downloading (down took %.1f s); "
                        + "after up: scenario 1's recording served again on its old signed URL (200 and 206, same "
                        + "bytes)=%s, ready ones not fetched again=%s, all %d ready %.1f s after up=%s, stored twice=%s",
                readyBefore.size(), calls.size() - readyBefore.size(), downSeconds, served, readyNotFetchedAgain,
                calls.size(), resumeSeconds, resumed, doubleStored));
    }

    /** 6. Workers scaled 3 -> 1 -> 3 while 120 recordings drain: none lost, none fetched twice. */
    Result scaleDownAndUp() throws Exception {
        deployment.scale(3);
        List<Call> calls = playback.calls(state.backlog, 12, "{\"latency_ms\":2000,\"size_bytes\":100000}");
        playback.resetProviderStats();
        long started = System.nanoTime();
        for (Call call : calls) {
            check(playback.play(call).statusCode() == 202, "a play was not answered 202");
        }
        pause(2000);
        deployment.compose(Duration.ofMinutes(3), "up", "-d", "--no-deps", "--scale", "worker=1", "worker");
        long readyAtOne = count(playback.statuses(calls), "ready");
        double downAt = secondsSince(started);
        pause(1000);
        long readyAtThree = count(playback.statuses(calls), "ready");
        double upAt = secondsSince(started);
        deployment.scale(3);
        boolean ready = playback.awaitStatus(calls, "ready", Duration.ofSeconds(180));
        double seconds = secondsSince(started);
        Map<String, Object> stats = playback.providerStats();
        Map<String, Object> fetches = map(stats.get("fetches"));
        long fetchedOnce = calls.stream().filter(c -> fetchesOf(fetches, c) == 1).count();
        Map<String, Object> maxByAccount = map(stats.get("max_in_flight_by_account"));
        long maxInFlight = state.backlog.stream()
                .mapToLong(b -> number(maxByAccount.getOrDefault(b.accountSid(), 0L))).max().orElse(0);
        String runs = deployment.sql("select count(*), count(*) filter (where status = 'succeeded'), "
                + "count(*) filter (where status = 'failed') from recording_runs where call_sid in (" + quoted(calls) + ")");
        boolean passed = ready && fetchedOnce == calls.size() && maxInFlight <= settings.slots()
                && runs.equals(calls.size() + "|" + calls.size() + "|0");
        return new Result(passed, String.format("120 recordings (provider 2 s): scaled to 1 at %.1f s (%d ready), "
                        + "back to 3 from %.1f s (%d ready); all ready=%s after %.1f s; fetched once %d/%d; runs "
                        + "total/succeeded/failed %s; max in flight per account %d", downAt, readyAtOne, upAt,
                readyAtThree, ready, seconds, fetchedOnce, calls.size(), runs.replace('|', '/'), maxInFlight));
    }
}
