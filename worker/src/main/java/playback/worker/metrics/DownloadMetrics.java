package playback.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import playback.model.FailureReason;
import playback.model.Lane;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the worker's downloads do, as Prometheus sees it at {@code /q/metrics}: attempts started,
 * succeeded, failed and retried by reason, their duration and size, the provider's HTTP statuses, and
 * the time from a recording's first Play to ready. Every name is in the metrics table of docs/operations.md.
 * Created at startup, so that every series is there, at zero, before the first Play.
 */
@Startup
@ApplicationScoped
public class DownloadMetrics {

    private static final Duration[] DURATION_BUCKETS = seconds(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);
    private static final double[] BYTE_BUCKETS = {64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20, 256 << 20};

    private final MeterRegistry registry;
    private final Counter started;
    private final Counter succeeded;
    private final Map<FailureReason, Counter> failed = new EnumMap<>(FailureReason.class);
    private final Map<FailureReason, Counter> retried = new EnumMap<>(FailureReason.class);
    private final Timer duration;
    private final DistributionSummary bytes;
    private final Timer timeToReady;
    private final Counter prefetchedBytes;
    private final Map<Integer, Counter> providerAnswers = new ConcurrentHashMap<>();

    public DownloadMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.started = Counter.builder("playback.downloads.started")
                .description("download attempts started (a run claimed)").register(registry);
        this.succeeded = Counter.builder("playback.downloads.succeeded")
                .description("download attempts that stored their recording").register(registry);
        for (FailureReason reason : FailureReason.values()) {
            failed.put(reason, Counter.builder("playback.downloads.failed").tag("reason", reason.code())
                    .description("download attempts that failed, by reason").register(registry));
            retried.put(reason, Counter.builder("playback.downloads.retried").tag("reason", reason.code())
                    .description("failed attempts followed by a scheduled retry, by reason").register(registry));
        }
        this.duration = Timer.builder("playback.download.duration").serviceLevelObjectives(DURATION_BUCKETS)
                .description("time from claim to stored, of successful downloads").register(registry);
        this.bytes = DistributionSummary.builder("playback.download").baseUnit("bytes").serviceLevelObjectives(BYTE_BUCKETS)
                .description("size of the recordings stored").register(registry);
        this.prefetchedBytes = Counter.builder("playback.prefetched").baseUnit("bytes")
                .description("bytes of recordings stored by background (prefetch) downloads").register(registry);
        this.timeToReady = Timer.builder("playback.time.to.ready").serviceLevelObjectives(DURATION_BUCKETS)
                .description("time from the Play that enqueued a recording to the recording ready").register(registry);
    }

    public void started() {
        started.increment();
    }

    public void succeeded(Lane lane, Duration took, long size, Duration sinceEnqueue) {
        succeeded.increment();
        if (lane == Lane.BACKGROUND) {
            prefetchedBytes.increment(size);
        }
        duration.record(took);
        bytes.record(size);
        if (sinceEnqueue != null) {
            timeToReady.record(sinceEnqueue);
        }
    }

    public void failed(FailureReason reason, boolean retrying) {
        failed.get(reason).increment();
        if (retrying) {
            retried.get(reason).increment();
        }
    }

    /** An HTTP status the provider (or the storage it redirects to) answered. */
    public void providerAnswered(int status) {
        providerAnswers.computeIfAbsent(status, code -> Counter.builder("playback.provider.responses")
                .tag("status", Integer.toString(code)).description("HTTP answers of the provider and its storage, by status")
                .register(registry)).increment();
    }

    private static Duration[] seconds(double... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            durations[i] = Duration.ofMillis((long) (values[i] * 1000));
        }
        return durations;
    }
}
