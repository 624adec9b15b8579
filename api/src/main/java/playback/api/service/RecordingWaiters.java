package playback.api.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import playback.queue.RecordingEvents;
import playback.tracing.TraceContext;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Long-poll waiters of this api replica. One Redis pub/sub subscription serves them all: a waiter is a
 * future in a map, not a thread or a connection, so a thousand waiting clients cost a thousand small
 * objects. The worker publishes when a recording becomes ready or failed; every replica hears it, and
 * also drops what its {@link RecordingCache} knows of that recording.
 */
@ApplicationScoped
public class RecordingWaiters {

    private static final long RESUBSCRIBE_DELAY_MILLIS = 1000;

    private final ReactiveRedisDataSource redis;
    private final Vertx vertx;
    private final RecordingCache cache;
    private final RecordingEvents events;
    /** Waiting futures by recording; each completes with the settling download's traceparent (or null). */
    private final ConcurrentMap<String, Set<CompletableFuture<String>>> waiting = new ConcurrentHashMap<>();
    private volatile boolean running;

    public RecordingWaiters(ReactiveRedisDataSource redis, Vertx vertx, RecordingCache cache, RecordingEvents events,
                            MeterRegistry metrics) {
        this.events = events;
        this.redis = redis;
        this.vertx = vertx;
        this.cache = cache;
        Gauge.builder("playback.longpoll.waiters", this, RecordingWaiters::count)
                .description("long-poll requests waiting for a recording").register(metrics);
    }

    /**
     * A registered wait: {@link #changed()} completes when the recording reaches an end state. With
     * tracing on, the span of the request that waits (current at registration) gets a link to the span
     * of the download that settled the recording, which is in the trace of the Play that enqueued it.
     */
    public final class Waiter {
        private final String key;
        private final CompletableFuture<String> future = new CompletableFuture<>();
        private final Span request = Span.current();

        private Waiter(String key) {
            this.key = key;
        }

        public Uni<Void> changed() {
            return Uni.createFrom().completionStage(future)
                    .invoke(traceparent -> TraceContext.spanContext(traceparent).ifPresent(request::addLink))
                    .replaceWithVoid();
        }

        /** Forgets the wait (answered, timed out, or the client went away). */
        public void cancel() {
            waiting.computeIfPresent(key, (k, futures) -> {
                futures.remove(future);
                return futures.isEmpty() ? null : futures;
            });
        }
    }

    /** Register before reading the status, so that no event can slip between the read and the wait. */
    public Waiter register(long businessId, String callSid) {
        Waiter waiter = new Waiter(RecordingEvents.Event.key(businessId, callSid));
        waiting.computeIfAbsent(waiter.key, k -> ConcurrentHashMap.newKeySet()).add(waiter.future);
        return waiter;
    }

    /** Waits registered on this replica now. */
    public int count() {
        return waiting.values().stream().mapToInt(Set::size).sum();
    }

    void start(@Observes StartupEvent event) {
        running = true;
        subscribe();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
    }

    private void subscribe() {
        if (!running) {
            return;
        }
        redis.pubsub(String.class)
                .subscribe(events.channel(), this::onMessage, this::resubscribeLater, failure -> resubscribeLater())
                .subscribe().with(subscriber -> Log.debugf("listening for recording events"),
                        failure -> resubscribeLater());
    }

    /** The subscription ended (Redis restarted or flushed connections): listen again shortly. */
    private void resubscribeLater() {
        if (running) {
            Log.debugf("recording events subscription lost; subscribing again");
            vertx.setTimer(RESUBSCRIBE_DELAY_MILLIS, id -> subscribe());
        }
    }

    private void onMessage(String message) {
        RecordingEvents.Event event;
        try {
            event = RecordingEvents.Event.decode(message);
        } catch (RuntimeException e) {
            Log.warnf("ignoring malformed recording event %s", message);
            return;
        }
        if (RecordingEvents.RESET.equals(event.status())) {
            cache.clear();
            waiting.keySet().forEach(key -> wake(key, null));
            return;
        }
        cache.invalidate(event.recording());
        if (event.settled()) {
            wake(event.recording(), event.traceparent());
        }
    }

    private void wake(String key, String traceparent) {
        Set<CompletableFuture<String>> futures = waiting.remove(key);
        if (futures != null) {
            futures.forEach(future -> future.complete(traceparent));
        }
    }
}
