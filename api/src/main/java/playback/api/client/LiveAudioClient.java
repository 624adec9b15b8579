package playback.api.client;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import playback.live.LiveAudio;
import playback.live.LiveConfig;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads a recording from the worker that is receiving it ({@code GET /internal/live/{run}} on the
 * worker's port, with the internal token), without blocking: a listener costs one connection to the
 * worker and no thread, whatever it waits for. The answer is handed over paused, so that its bytes
 * flow only as fast as the listener takes them.
 */
@ApplicationScoped
public class LiveAudioClient {

    /** A worker that does not accept a connection within this is treated as gone: the stored state decides. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * A connection to a worker on which nothing moved for this long is closed (its listener's answer is
     * cut short): a worker host that vanished, or a listener paused for that long.
     */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** Listeners of one worker at once, each on its own connection. */
    static final int CONNECTIONS_PER_WORKER = 10_000;
    private static final long WARN_INTERVAL_NANOS = Duration.ofMinutes(1).toNanos();

    private final Optional<String> token;
    private final HttpClient http;
    /** When a problem with a worker was last logged at WARN, by worker: one WARN a minute, the rest at DEBUG. */
    private final Map<String, Long> warned = new ConcurrentHashMap<>();

    public LiveAudioClient(Vertx vertx, LiveConfig config) {
        this.token = config.token();
        this.http = vertx.createHttpClient(new HttpClientOptions()
                        .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis())
                        .setIdleTimeout((int) IDLE_TIMEOUT.toSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
                        .setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_WORKER));
    }

    @PreDestroy
    void close() {
        http.close();
    }

    /** The worker's answer, paused until it is piped to the listener; and how it broke meanwhile, if it did. */
    public record Answer(HttpClientResponse response, AtomicReference<Throwable> failure) {

        /** Lets go of the answer without reading it (the listener went away, or wants its headers only). */
        public void discard() {
            response.request().reset();
        }
    }

    /**
     * Asks the worker at {@code source} for the recording ({@code range}: a single byte range, or null).
     * An answer of the recording (200, 206, 416) is given, paused; empty when the worker does not have it
     * (any more), cannot be reached, or refuses: the stored state then decides what the listener gets.
     */
    public Uni<Optional<Answer>> open(URI source, String range) {
        if (token.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        Future<Optional<Answer>> answer;
        try {
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(source.toString())
                    .putHeader(LiveAudio.TOKEN_HEADER, token.get());
            if (range != null) {
                options.putHeader("Range", range);
            }
            answer = http.request(options)
                    .compose(request -> {
                        Future<HttpClientResponse> sent = request.send();
                        // Paused as its head arrives, before any byte of the body: nothing flows until piped.
                        sent.onSuccess(HttpClientResponse::pause);
                        return sent;
                    })
                    .compose(response -> relayable(source, response));
        } catch (RuntimeException e) {
            answer = Future.failedFuture(e);
        }
        return Uni.createFrom().completionStage(answer.recover(failure -> {
            problem(source, "cannot read the live recording at %s: %s", source, failure.getMessage());
            return Future.succeededFuture(Optional.empty());
        }).toCompletionStage());
    }

    private Future<Optional<Answer>> relayable(URI source, HttpClientResponse response) {
        int status = response.statusCode();
        if (status == 200 || status == 206 || status == 416) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            response.exceptionHandler(failure::set);
            return Future.succeededFuture(Optional.of(new Answer(response, failure)));
        }
        Future<Buffer> body = response.body();
        response.resume();
        return body.map(text -> {
            if (status == 404 && text.toString().contains("\"" + LiveAudio.NOT_LIVE + "\"")) {
                Log.debugf("%s is no longer live; the stored state decides", source);
            } else if (status == 503) {
                Log.debugf("%s: the download failed just now; the stored state decides", source);
            } else {
                problem(source, "the worker at %s refused a live read (%d); is playback.live.token the same on the api and the workers?",
                        source, status);
            }
            return Optional.empty();
        });
    }

    /** At WARN once a minute per worker, else at DEBUG: a listener falls back to the stored state either way. */
    private void problem(URI source, String format, Object... arguments) {
        String worker = source.getScheme() + "://" + source.getRawAuthority();
        long now = System.nanoTime();
        Long last = warned.get(worker);
        if (last == null || now - last > WARN_INTERVAL_NANOS) {
            warned.put(worker, now);
            Log.warnf(format, arguments);
        } else {
            Log.debugf(format, arguments);
        }
    }
}
