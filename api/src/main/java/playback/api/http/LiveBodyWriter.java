package playback.api.http;

import io.quarkus.logging.Log;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;
import org.jboss.resteasy.reactive.server.vertx.VertxResteasyReactiveRequestContext;

import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/**
 * Relays a {@link LiveBody}: the worker's answer is piped to the listener, read only as fast as the
 * listener's connection takes it (no thread held, at most the connection's write queue buffered). A
 * worker's answer that breaks (the download failed) breaks the listener's connection too, so the
 * listener never sees a clean end of a partial recording; a listener that goes away closes the
 * connection to the worker.
 */
@Provider
public class LiveBodyWriter implements ServerMessageBodyWriter<LiveBody> {

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target, MediaType mediaType) {
        return LiveBody.class.equals(type);
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return LiveBody.class.equals(type);
    }

    @Override
    public void writeResponse(LiveBody body, Type genericType, ServerRequestContext context) {
        VertxResteasyReactiveRequestContext request = (VertxResteasyReactiveRequestContext) context;
        request.suspend();
        HttpServerResponse response = request.vertxServerResponse();
        HttpClientResponse upstream = body.upstream().response();
        // The request's own event loop: this may run on the worker thread that decided the answer.
        request.getContextExecutor().execute(() -> {
            if (response.closed()) {
                body.upstream().discard();
                request.resume();
                return;
            }
            if (body.length() != null) {
                response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(body.length()));
            } else {
                response.setChunked(true);
            }
            var pipe = upstream.pipe().endOnFailure(false);
            Throwable brokenBefore = body.upstream().failure().get();
            if (brokenBefore != null) {
                pipe.close();
                cutShort(body, response, brokenBefore);
                request.resume();
                return;
            }
            pipe.to(response).onComplete(piped -> {
                if (piped.failed()) {
                    cutShort(body, response, piped.cause());
                }
                request.resume();
            });
        });
    }

    /** The worker's answer broke, or the listener went away: both connections are closed, neither ends cleanly. */
    private static void cutShort(LiveBody body, HttpServerResponse response, Throwable cause) {
        Log.debugf("a live recording's answer was cut short: %s", cause.getMessage());
        body.upstream().discard();
        if (!response.closed()) {
            response.reset();
        }
    }

    @Override
    public void writeTo(LiveBody body, Class<?> type, Type genericType, Annotation[] annotations,
                        MediaType mediaType, MultivaluedMap<String, Object> headers, OutputStream out) {
        throw new UnsupportedOperationException("written by writeResponse only");
    }
}
