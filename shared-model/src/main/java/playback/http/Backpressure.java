package playback.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/** Writing a response body chunk by chunk, at the pace of the client's connection. */
public final class Backpressure {

    private Backpressure() {
    }

    /**
     * Writes the chunk, then runs {@code next} once: at once while the connection takes more, else when
     * its write queue has drained. The drain handler is removed as it fires: Vert.x keeps a drain handler
     * and calls it again at every later drain, which would start a second writer beside the first (the
     * same bytes sent twice, the next ones skipped).
     */
    public static void write(HttpServerResponse response, Buffer chunk, Runnable next) {
        response.write(chunk);
        if (response.writeQueueFull()) {
            response.drainHandler(drained -> {
                response.drainHandler(null);
                next.run();
            });
        } else {
            next.run();
        }
    }
}
