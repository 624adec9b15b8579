package playback.api.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import playback.model.Lane;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The enqueue path and stream serving, as Prometheus sees them at {@code /q/metrics}: Plays, enqueues,
 * duplicates blocked by each guard, stream answers by status and the bytes they carry. Every name is in
 * the metrics table of docs/operations.md.
 * Created at startup, so that every series is there, at zero, before the first Play.
 */
@Startup
@ApplicationScoped
public class PlayMetrics {

    /** What kept a Play from enqueuing a second download of a recording. */
    public enum Guard {
        /** The api answered from its memory of a download under way (a burst of clicks). */
        CACHE,
        /** The recording was enqueued less than the cooldown ago and is still on its way. */
        COOLDOWN,
        /** Another request's run holds the recording's Redis dedup key. */
        DEDUP_KEY,
        /** PostgreSQL's partial unique index (one active run per recording), or the recording became ready. */
        UNIQUE_INDEX;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Counter explicitPlays;
    private final Counter checks;
    private final Map<Lane, Counter> enqueues = new EnumMap<>(Lane.class);
    private final Counter promotions;
    private final Counter warm;
    private final Counter cold;
    private final Map<Guard, Counter> duplicates = new EnumMap<>(Guard.class);
    private final Counter bytesSent;
    private final Map<Integer, Counter> answers = new ConcurrentHashMap<>();

    public PlayMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.explicitPlays = plays(registry, true);
        this.checks = plays(registry, false);
        for (Lane lane : Lane.values()) {
            enqueues.put(lane, Counter.builder("playback.enqueues").tag("lane", lane.wire())
                    .description("downloads enqueued (one run each), by lane").register(registry));
        }
        this.warm = Counter.builder("playback.plays.answered").tag("cache", "warm")
                .description("explicit Plays answered with the stored recording (warm) or a 202 (cold)").register(registry);
        this.cold = Counter.builder("playback.plays.answered").tag("cache", "cold")
                .description("explicit Plays answered with the stored recording (warm) or a 202 (cold)").register(registry);
        this.promotions = Counter.builder("playback.promotions")
                .description("prefetches moved to the interactive lane by a Play").register(registry);
        for (Guard guard : Guard.values()) {
            duplicates.put(guard, Counter.builder("playback.enqueue.duplicates").tag("guard", guard.label())
                    .description("explicit Plays that enqueued nothing because a download was already on its way")
                    .register(registry));
        }
        this.bytesSent = Counter.builder("playback.stream.bytes").baseUnit("bytes")
                .description("bytes of recording bodies answered by stream and download").register(registry);
    }

    private static Counter plays(MeterRegistry registry, boolean explicit) {
        return Counter.builder("playback.plays").tag("explicit", Boolean.toString(explicit))
                .description("stream requests of the UI or an integrator (signed audio reads excluded)")
                .register(registry);
    }

    /**
     * An explicit Play's answer: the recording was stored (200, 206, 304: warm) or had to be fetched
     * (202: cold). Their ratio is the share of Plays that started at once.
     */
    public void explicitPlayAnswered(int status) {
        if (status == 200 || status == 206 || status == 304) {
            warm.increment();
        } else if (status == 202) {
            cold.increment();
        }
    }

    public void play(boolean explicit) {
        (explicit ? explicitPlays : checks).increment();
    }

    public void enqueued(Lane lane) {
        enqueues.get(lane).increment();
    }

    public void promoted() {
        promotions.increment();
    }

    public void duplicateBlocked(Guard guard) {
        duplicates.get(guard).increment();
    }

    /** A stream or download answer: its status, and the body bytes it carries (0 for none). */
    public void answered(int status, long bodyBytes) {
        answers.computeIfAbsent(status, code -> Counter.builder("playback.stream.responses")
                .tag("status", Integer.toString(code)).description("stream and download answers by HTTP status")
                .register(registry)).increment();
        if (bodyBytes > 0) {
            bytesSent.increment(bodyBytes);
        }
    }
}
