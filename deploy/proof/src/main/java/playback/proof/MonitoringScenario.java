package playback.proof;

import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.proof.Scenario.Result;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static playback.proof.Checks.await;
import static playback.proof.Checks.check;
import static playback.proof.Checks.secondsSince;
import static playback.proof.Prometheus.total;

/**
 * 7. Prometheus (the monitoring profile) finds its targets by DNS: its active targets of the api and the
 * worker jobs are exactly the running containers' addresses (the workers as scenario 6 left them, scaled
 * 3 -> 1 -> 3: new containers, new addresses), every one `up`; and what a Play moves is scraped: the
 * api's request count of the stream endpoint, and a counter of the worker that downloaded the recording,
 * from that worker's own target.
 */
final class MonitoringScenario {

    private static final String WORKER_COUNTER = "playback_downloads_succeeded_total";
    private static final String STREAM_REQUESTS = "sum(http_server_requests_seconds_count{job=\"api\",uri=~\".*/stream\"})";
    private static final String COUNTER_QUERY = "sum by (instance) (" + WORKER_COUNTER + "{job=\"worker\"})";

    private final Settings settings;
    private final Deployment deployment;
    private final Playback playback;
    private final Prometheus prometheus;

    MonitoringScenario(Settings settings, Deployment deployment, Playback playback, Prometheus prometheus) {
        this.settings = settings;
        this.deployment = deployment;
        this.playback = playback;
        this.prometheus = prometheus;
    }

    Result run() throws Exception {
        deployment.scale(3);
        Set<String> workers = deployment.addresses("worker");
        Set<String> apis = deployment.addresses("api");
        long discovering = System.nanoTime();
        boolean discovered = await(Duration.ofSeconds(60),
                () -> prometheus.targets("worker").equals(up(workers)) && prometheus.targets("api").equals(up(apis)));
        double discoverySeconds = secondsSince(discovering);
        Map<String, String> workerTargets = prometheus.targets("worker");
        Map<String, String> apiTargets = prometheus.targets("api");
        // Of the running containers: a series of a target that was gone before Prometheus restarted (scenario
        // 5's down and up) has no staleness marker and stays in the query's 5 minutes of look-back.
        Map<String, String> workersUp = new TreeMap<>(prometheus.values("up{job=\"worker\",service=\"worker\"}"));
        Map<String, String> apisUp = new TreeMap<>(prometheus.values("up{job=\"api\",service=\"api\"}"));
        workersUp.keySet().retainAll(workers);
        apisUp.keySet().retainAll(apis);
        boolean allUp = workersUp.keySet().equals(workers) && workersUp.values().stream().allMatch("1"::equals)
                && apisUp.keySet().equals(apis) && apisUp.values().stream().allMatch("1"::equals);
        Files.writeString(settings.logDir().resolve("worker-metric-names.txt"),
                String.join("\n", prometheus.metricNames("worker")) + "\n");

        // A Play of a cold recording: the api counts the request, a worker downloads it.
        Business business = playback.businesses("Monitoring", 1).get(0);
        Call call = playback.call(business, Playback.FAST);
        double streamsBefore = total(prometheus.values(STREAM_REQUESTS));
        Map<String, String> countersBefore = prometheus.values(COUNTER_QUERY);
        check(playback.play(call).statusCode() == 202, "the play was not answered 202");
        check(playback.awaitStatus(List.of(call), "ready", Duration.ofSeconds(60)), "the recording was not ready within 60 s");
        String downloader = deployment.addressOf(deployment.containerOf(deployment.sql(
                "select worker from recording_runs where call_sid = '" + call.callSid() + "' and status = 'succeeded'")));
        double counterBefore = Double.parseDouble(countersBefore.getOrDefault(downloader, "0"));
        long scraping = System.nanoTime();
        boolean streamCounted = await(Duration.ofSeconds(30), () -> total(prometheus.values(STREAM_REQUESTS)) >= streamsBefore + 1);
        boolean workerCounted = await(Duration.ofSeconds(30), () -> counter(downloader) > counterBefore);
        double scrapedSeconds = secondsSince(scraping);
        double streamsAfter = total(prometheus.values(STREAM_REQUESTS));
        double counterAfter = counter(downloader);
        boolean passed = discovered && allUp && streamCounted && workerCounted;
        return new Result(passed, String.format("targets by DNS (after %.1f s): worker %s, api %s (running "
                        + "containers: workers %s, api %s); up: %s / %s; a Play: the api's stream requests %.0f -> "
                        + "%.0f, %s of the downloading worker %s %.0f -> %.0f (seen within %.1f s of ready)",
                discoverySeconds, workerTargets, apiTargets, workers, apis, workersUp, apisUp, streamsBefore,
                streamsAfter, WORKER_COUNTER, downloader, counterBefore, counterAfter, scrapedSeconds));
    }

    /** The worker counter of the worker at that address, as Prometheus last scraped it. */
    private double counter(String address) {
        return Double.parseDouble(prometheus.values(COUNTER_QUERY).getOrDefault(address, "0"));
    }

    private static Map<String, String> up(Set<String> addresses) {
        Map<String, String> health = new TreeMap<>();
        addresses.forEach(address -> health.put(address, "up"));
        return health;
    }
}
