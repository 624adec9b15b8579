package playback.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import playback.worker.retention.EvictionReason;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What cache retention does: recordings evicted by reason, their bytes, and the size of the ready
 * recordings as the last evictor run on this replica found it. Created at startup, every series at zero.
 */
@Startup
@ApplicationScoped
public class RetentionMetrics {

    private final Map<EvictionReason, Counter> evictions = new EnumMap<>(EvictionReason.class);
    private final Counter evictedBytes;
    private final AtomicLong storedBytes = new AtomicLong();

    public RetentionMetrics(MeterRegistry registry) {
        for (EvictionReason reason : EvictionReason.values()) {
            evictions.put(reason, Counter.builder("playback.evictions").tag("reason", reason.label())
                    .description("stored recordings evicted, by reason").register(registry));
        }
        evictedBytes = Counter.builder("playback.evicted.bytes").description("bytes of the recordings evicted")
                .register(registry);
        Gauge.builder("playback.stored.bytes", storedBytes, AtomicLong::get)
                .description("total size of the ready recordings, as the last evictor run found it").register(registry);
    }

    public void evicted(EvictionReason reason, long bytes) {
        evictions.get(reason).increment();
        evictedBytes.increment(bytes);
    }

    public void stored(long bytes) {
        storedBytes.set(bytes);
    }
}
