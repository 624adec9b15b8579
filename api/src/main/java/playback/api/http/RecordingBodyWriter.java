package playback.api.http;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;
import org.jboss.resteasy.reactive.server.vertx.VertxResteasyReactiveRequestContext;
import playback.http.Backpressure;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.Iterator;
import java.util.concurrent.Executor;

/**
 * Writes a {@link RecordingBody} with flow control: a worker thread reads one chunk, the event loop
 * writes it, and the next chunk is read only once the connection has room for it. A slow or paused
 * listener therefore holds no thread and at most one chunk plus the connection's write queue of memory;
 * a listener that goes away stops the reads.
 */
@Provider
public class RecordingBodyWriter implements ServerMessageBodyWriter<RecordingBody> {

    static final int CHUNK = 64 * 1024;

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target, MediaType mediaType) {
        return RecordingBody.class.equals(type);
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return RecordingBody.class.equals(type);
    }

    @Override
    public void writeResponse(RecordingBody body, Type genericType, ServerRequestContext context) {
        VertxResteasyReactiveRequestContext request = (VertxResteasyReactiveRequestContext) context;
        request.suspend();
        // The headers the answer was built with reach the connection with the first bytes, but its length
        // is the writer's to give.
        context.serverResponse().setResponseHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(body.length()));
        // The request's own event loop: this may run on the worker thread that decided the answer.
        Executor eventLoop = request.getContextExecutor();
        eventLoop.execute(new Pump(body, request, request.vertxServerResponse(), eventLoop)::next);
    }

    @Override
    public void writeTo(RecordingBody body, Class<?> type, Type genericType, Annotation[] annotations,
                        MediaType mediaType, MultivaluedMap<String, Object> headers, OutputStream out) {
        throw new UnsupportedOperationException("written by writeResponse only");
    }

    private static final class Pump {
        private final Iterator<RecordingBody.Segment> segments;
        private final VertxResteasyReactiveRequestContext request;
        private final HttpServerResponse response;
        private final Executor eventLoop;
        private InputStream in;
        private long remaining;

        Pump(RecordingBody body, VertxResteasyReactiveRequestContext request, HttpServerResponse response,
             Executor eventLoop) {
            this.segments = body.segments().iterator();
            this.request = request;
            this.response = response;
            this.eventLoop = eventLoop;
        }

        /** On the event loop: the next chunk is read on a worker thread. */
        void next() {
            if (response.closed()) {
                finish(null);
                return;
            }
            Infrastructure.getDefaultWorkerPool().execute(this::read);
        }

        private void read() {
            try {
                Buffer chunk = nextChunk();
                eventLoop.execute(() -> {
                    if (chunk == null) {
                        finish(null);
                        return;
                    }
                    Backpressure.write(response, chunk, this::next);
                });
            } catch (IOException | RuntimeException e) {
                eventLoop.execute(() -> finish(e));
            }
        }

        /** Blocking: the next bytes of the body, or null at its end. */
        private Buffer nextChunk() throws IOException {
            while (in == null || remaining == 0) {
                close();
                if (!segments.hasNext()) {
                    return null;
                }
                RecordingBody.Segment segment = segments.next();
                if (segment.literal() != null) {
                    return Buffer.buffer(segment.literal());
                }
                in = segment.opener().open();
                remaining = segment.length();
            }
            byte[] bytes = new byte[(int) Math.min(CHUNK, remaining)];
            int read = in.read(bytes);
            if (read < 0) {
                throw new IOException("the stored recording ended " + remaining + " bytes early");
            }
            remaining -= read;
            return Buffer.buffer(read == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, read));
        }

        /** On the event loop: the answer is complete, or cut short (the client learns it from a closed connection). */
        private void finish(Throwable failure) {
            Infrastructure.getDefaultWorkerPool().execute(this::close);
            if (failure == null && !response.closed()) {
                response.end();
            } else if (failure != null) {
                Log.warnf("a recording's answer was cut short: %s", failure.getMessage());
                response.reset();
            }
            request.resume();
        }

        private void close() {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException e) {
                    // the stream is dropped either way
                }
                in = null;
            }
        }
    }
}
