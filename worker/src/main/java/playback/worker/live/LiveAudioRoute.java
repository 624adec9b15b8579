package playback.worker.live;

import io.netty.buffer.Unpooled;
import io.quarkus.logging.Log;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import playback.http.Backpressure;
import playback.live.LiveAudio;
import playback.live.LiveConfig;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /internal/live/{runId}}: the audio of a recording this worker is receiving, for the api
 * replicas (never for browsers: it wants the internal token, and the worker's port is not published).
 * The bytes received so far are sent at once and the rest as they arrive; a single byte range is
 * honoured when the provider announced the length (206, or 416 past the end); without a length the
 * whole recording is sent, chunked. A download that fails ends the response abruptly, so the reader
 * sees the recording incomplete, never a clean end of a partial file. Non-blocking: a listener waiting
 * for bytes holds no thread; reads from the file run on the worker pool.
 */
@ApplicationScoped
public class LiveAudioRoute {

    private static final int CHUNK = 64 * 1024;
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final LiveDownloads downloads;
    private final Vertx vertx;
    private final Optional<byte[]> token;

    public LiveAudioRoute(LiveDownloads downloads, Vertx vertx, LiveConfig config) {
        this.downloads = downloads;
        this.vertx = vertx;
        this.token = config.token().map(value -> value.getBytes(StandardCharsets.UTF_8));
    }

    void install(@Observes Router router) {
        router.get(LiveAudio.PATH + ":runId").handler(this::serve);
    }

    private void serve(RoutingContext request) {
        HttpServerResponse response = request.response();
        String presented = request.request().getHeader(LiveAudio.TOKEN_HEADER);
        if (token.isEmpty() || presented == null
                || !MessageDigest.isEqual(token.get(), presented.getBytes(StandardCharsets.UTF_8))) {
            error(response, 404, "not_found", "no such resource");
            return;
        }
        Optional<LiveDownload> attached = runId(request.pathParam("runId")).flatMap(downloads::attach);
        if (attached.isEmpty()) {
            error(response, 404, LiveAudio.NOT_LIVE, "this worker is not receiving that run");
            return;
        }
        LiveDownload live = attached.get();
        AtomicBoolean done = new AtomicBoolean();
        Runnable finish = () -> {
            if (done.compareAndSet(false, true)) {
                live.detach();
            }
        };
        response.closeHandler(closed -> finish.run());
        Context context = vertx.getOrCreateContext();
        Reader reader = new Reader(live, response, context, finish, request.request().getHeader("Range"));
        live.whenBeyond(0, () -> context.runOnContext(ignored -> reader.begin()));
    }

    /** One listener's response: where it is in the recording and where it stops. */
    private final class Reader {

        private final LiveDownload live;
        private final HttpServerResponse response;
        private final Context context;
        private final Runnable finish;
        private final String range;
        private long position;
        private long last = Long.MAX_VALUE;

        Reader(LiveDownload live, HttpServerResponse response, Context context, Runnable finish, String range) {
            this.live = live;
            this.response = response;
            this.context = context;
            this.finish = finish;
            this.range = range;
        }

        void begin() {
            LiveDownload.Position at = live.at(0);
            if (at.state() == LiveDownload.State.FAILED || live.contentType() == null) {
                error(response, 503, "download_failed", "the recording's download failed");
                finish.run();
                return;
            }
            Long total = at.total();
            response.putHeader("Content-Type", live.contentType()).putHeader("Cache-Control", "no-store");
            if (total == null) {
                response.setChunked(true).setStatusCode(200);
                pump();
                return;
            }
            response.putHeader("Accept-Ranges", "bytes");
            Matcher matcher = range == null ? null : RANGE.matcher(range.trim());
            if (matcher == null || !matcher.matches() || (matcher.group(1).isEmpty() && matcher.group(2).isEmpty())) {
                last = total - 1;
                response.setStatusCode(200).putHeader("Content-Length", Long.toString(total));
                pump();
                return;
            }
            if (matcher.group(1).isEmpty()) {
                position = Math.max(0, total - Long.parseLong(matcher.group(2)));
                last = total - 1;
            } else {
                position = Long.parseLong(matcher.group(1));
                last = matcher.group(2).isEmpty() ? total - 1 : Math.min(total - 1, Long.parseLong(matcher.group(2)));
            }
            if (position >= total || position > last) {
                response.putHeader("Content-Range", "bytes */" + total);
                error(response, 416, "range_not_satisfiable", "the recording has " + total + " bytes");
                finish.run();
                return;
            }
            response.setStatusCode(206).putHeader("Content-Range", "bytes " + position + "-" + last + "/" + total)
                    .putHeader("Content-Length", Long.toString(last - position + 1));
            pump();
        }

        private void pump() {
            if (response.closed()) {
                finish.run();
                return;
            }
            if (position > last) {
                response.end();
                finish.run();
                return;
            }
            LiveDownload.Position at = live.at(position);
            if (at.available() > 0) {
                int length = (int) Math.min(CHUNK, Math.min(at.available(), last - position + 1));
                long from = position;
                vertx.executeBlocking(() -> {
                    ByteBuffer bytes = ByteBuffer.allocate(length);
                    int read;
                    do {
                        read = live.read(bytes, from + bytes.position());
                    } while (read > 0 && bytes.hasRemaining());
                    bytes.flip();
                    return Buffer.buffer(Unpooled.wrappedBuffer(bytes));
                }, false).onComplete(read -> {
                    if (read.failed()) {
                        Log.debugf("live audio of run %d: read failed: %s", live.runId(), read.cause().getMessage());
                        abort();
                        return;
                    }
                    position += read.result().length();
                    Backpressure.write(response, read.result(), this::pump);
                });
                return;
            }
            switch (at.state()) {
                case RECEIVING -> live.whenBeyond(position, () -> context.runOnContext(ignored -> pump()));
                case COMPLETE -> {
                    if (last == Long.MAX_VALUE) {
                        response.end();
                        finish.run();
                    } else {
                        abort();
                    }
                }
                case FAILED -> abort();
            }
        }

        /** Ends the response without completing it: the reader sees the recording cut short. */
        private void abort() {
            response.reset();
            finish.run();
        }
    }

    private static Optional<Long> runId(String value) {
        try {
            return Optional.of(Long.parseLong(value));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void error(HttpServerResponse response, int status, String code, String message) {
        response.setStatusCode(status).putHeader("Content-Type", "application/json")
                .end("{\"error\":\"" + code + "\",\"message\":\"" + message + "\"}");
    }
}
