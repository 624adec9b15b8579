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
 * objects. The worker publishes when a recording becomes ready or failed, and when it changed otherwise
 * (among others: its download became playable while it runs); every replica hears it, wakes the waiters
 * of an end state, or of any change for those that asked, and drops what its {@link RecordingCache}
 * knows of that recording.
 */
@ApplicationScoped
public class RecordingWaiters {

    private static final long RESUBSCRIBE_DELAY_MILLIS = 1000;

    private final ReactiveRedisDataSource redis;
    private final Vertx vertx;
    private final RecordingCache cache;
    private final RecordingEvents events;
    /** Waiters by recording. */
    private final ConcurrentMap<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();
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

    /** Why a waiter was woken. */
    public enum Wake {
        /** The recording reached an end state (ready or failed), or everything was reset. */
        SETTLED,
        /** The recording changed otherwise: a waiter that asked for changes looks at it again. */
        CHANGED
    }

    /**
     * A registered wait: {@link #changed()} completes when the recording reaches an end state, or, for a
     * waiter of changes, when it changes at all. With tracing on, the span of the request that waits
     * (current at registration) gets a link to the span of the download that settled the recording,
     * which is in the trace of the Play that enqueued it.
     */
    public final class Waiter {
        private final String key;
        private final boolean changes;
        private final CompletableFuture<Wake> future = new CompletableFuture<>();
        private final Span request = Span.current();

        private Waiter(String key, boolean changes) {
            this.key = key;
            this.changes = changes;
        }

        public Uni<Wake> changed() {
            return Uni.createFrom().completionStage(future);
        }

        /** Forgets the wait (answered, timed out, or the client went away). */
        public void cancel() {
            waiting.computeIfPresent(key, (k, waiters) -> {
                waiters.remove(this);
                return waiters.isEmpty() ? null : waiters;
            });
        }

        private void wake(Wake wake, String traceparent) {
            TraceContext.spanContext(traceparent).ifPresent(request::addLink);
            future.complete(wake);
        }
    }

    /**
     * Register before reading the status, so that no event can slip between the read and the wait. With
     * {@code changes}, the waiter is also woken by a change that is not an end state.
     */
    public Waiter register(long businessId, String callSid, boolean changes) {
        Waiter waiter = new Waiter(RecordingEvents.Event.key(businessId, callSid), changes);
        waiting.computeIfAbsent(waiter.key, k -> ConcurrentHashMap.newKeySet()).add(waiter);
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
            waiting.keySet().forEach(key -> wakeAll(key, null));
            return;
        }
        cache.invalidate(event.recording());
        if (event.settled()) {
            wakeAll(event.recording(), event.traceparent());
        } else {
            wakeChanges(event.recording());
        }
    }

    private void wakeAll(String key, String traceparent) {
        Set<Waiter> waiters = waiting.remove(key);
        if (waiters != null) {
            waiters.forEach(waiter -> waiter.wake(Wake.SETTLED, traceparent));
        }
    }

    /** Wakes the waiters of changes of the recording; the others keep waiting for its end state. */
    private void wakeChanges(String key) {
        Set<Waiter> waiters = waiting.get(key);
        if (waiters == null) {
            return;
        }
        for (Waiter waiter : waiters) {
            if (waiter.changes) {
                waiter.cancel();
                waiter.wake(Wake.CHANGED, null);
            }
        }
    }
}
