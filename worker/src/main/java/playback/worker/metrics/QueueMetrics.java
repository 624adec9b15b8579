package playback.worker.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import playback.controls.BusinessControls;
import playback.controls.SlotsConfig;
import playback.model.Lane;
import playback.queue.QueueFigures;

import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * The queue and the slots as gauges, read from Redis every {@link #REFRESH} rather than at each scrape,
 * so that a scrape costs Redis nothing. The figures are global (every worker replica reads the same
 * Redis): aggregate them across replicas with {@code max}, not {@code sum}.
 *
 * <p>Slot gauges carry a {@code business_id} label for the businesses that held a slot in the last
 * {@link #LABEL_MEMORY}, at most {@link #MAX_BUSINESS_LABELS} of them (the busiest), so the label's
 * cardinality is bounded by recent activity, not by the number of customers.
 */
@ApplicationScoped
public class QueueMetrics {

    static final Duration REFRESH = Duration.ofSeconds(2);
    static final Duration LABEL_MEMORY = Duration.ofMinutes(10);
    static final int MAX_BUSINESS_LABELS = 100;

    private final QueueFigures figures;
    private final BusinessControls controls;
    private final int defaultLimit;
    private final AtomicLong waiting = new AtomicLong();
    private final AtomicLong delayed = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong oldestWaitingMillis = new AtomicLong();
    private final MultiGauge slotsInUse;
    private final MultiGauge slotLimits;
    private final Map<Long, Long> lastSeenNanos = new HashMap<>();
    /** Per lane: waiting, pending, oldest waiting (ms). */
    private final Map<Lane, AtomicLong[]> laneGauges = new EnumMap<>(Lane.class);
    private ScheduledExecutorService refresher;

    public QueueMetrics(QueueFigures figures, BusinessControls controls, SlotsConfig slots, MeterRegistry registry) {
        this.figures = figures;
        this.controls = controls;
        this.defaultLimit = slots.perBusiness();
        jobs(registry, "waiting", waiting);
        jobs(registry, "delayed", delayed);
        jobs(registry, "pending", pending);
        Gauge.builder("playback.queue.oldest.waiting", oldestWaitingMillis, millis -> millis.get() / 1000.0)
                .baseUnit("seconds").description("how long the oldest job no worker has taken yet has waited")
                .register(registry);
        for (Lane lane : Lane.values()) {
            AtomicLong laneWaiting = new AtomicLong();
            AtomicLong lanePending = new AtomicLong();
            AtomicLong laneOldest = new AtomicLong();
            laneGauges.put(lane, new AtomicLong[] {laneWaiting, lanePending, laneOldest});
            Gauge.builder("playback.lane.jobs", laneWaiting, AtomicLong::get).tags("lane", lane.wire(), "state", "waiting")
                    .description("a lane's jobs: waiting (not taken), pending (taken)").register(registry);
            Gauge.builder("playback.lane.jobs", lanePending, AtomicLong::get).tags("lane", lane.wire(), "state", "pending")
                    .description("a lane's jobs: waiting (not taken), pending (taken)").register(registry);
            Gauge.builder("playback.lane.oldest.waiting", laneOldest, millis -> millis.get() / 1000.0).tag("lane", lane.wire())
                    .baseUnit("seconds").description("how long a lane's oldest waiting job has waited").register(registry);
        }
        slotsInUse = MultiGauge.builder("playback.slots.in.use")
                .description("download slots held per business, across every worker").register(registry);
        slotLimits = MultiGauge.builder("playback.slots.limit")
                .description("download slots a business may hold at once").register(registry);
    }

    private static void jobs(MeterRegistry registry, String state, AtomicLong value) {
        Gauge.builder("playback.queue.jobs", value, AtomicLong::get).tag("state", state)
                .description("download jobs in the queue: waiting (not taken), delayed (due later), pending (taken)")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "queue-metrics");
            thread.setDaemon(true);
            return thread;
        });
        refresher.scheduleWithFixedDelay(this::refresh, 0, REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }

    void refresh() {
        try {
            QueueFigures.Queue queue = figures.queue();
            waiting.set(queue.waiting());
            delayed.set(queue.delayed());
            pending.set(queue.pending());
            oldestWaitingMillis.set(queue.oldestWaiting().toMillis());
            queue.lanes().forEach((lane, figures) -> {
                AtomicLong[] gauges = laneGauges.get(lane);
                gauges[0].set(figures.waiting());
                gauges[1].set(figures.pending());
                gauges[2].set(figures.oldestWaiting().toMillis());
            });
            Map<Long, Long> inUse = figures.inFlightByBusiness();
            List<Long> businesses = labelled(inUse);
            Map<Long, BusinessControls.Control> limits = businesses.isEmpty() ? Map.of() : controls.all();
            slotsInUse.register(rows(businesses, business -> inUse.getOrDefault(business, 0L)), true);
            slotLimits.register(rows(businesses, business -> limits.getOrDefault(business,
                    BusinessControls.Control.none(business)).effectiveLimit(defaultLimit)), true);
        } catch (RuntimeException e) {
            Log.debugf("queue metrics not refreshed: %s", e.getMessage());
        }
    }

    /** The businesses that get a label: holding slots now or lately, the busiest first, bounded. */
    private List<Long> labelled(Map<Long, Long> inUse) {
        long now = System.nanoTime();
        inUse.keySet().forEach(business -> lastSeenNanos.put(business, now));
        lastSeenNanos.values().removeIf(seen -> now - seen > LABEL_MEMORY.toNanos());
        return lastSeenNanos.keySet().stream()
                .sorted(Comparator.comparing((Long business) -> inUse.getOrDefault(business, 0L)).reversed()
                        .thenComparing(business -> -lastSeenNanos.get(business)))
                .limit(MAX_BUSINESS_LABELS).toList();
    }

    private static List<MultiGauge.Row<?>> rows(List<Long> businesses, ToLongFunction<Long> value) {
        return businesses.stream().<MultiGauge.Row<?>>map(business -> {
            long figure = value.applyAsLong(business);
            return MultiGauge.Row.of(Tags.of("business_id", Long.toString(business)), () -> figure);
        }).toList();
    }
}
