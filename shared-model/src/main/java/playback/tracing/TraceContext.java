package playback.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The W3C trace context (a {@code traceparent} value) that a download carries from the api's Play
 * request through the job stream to the worker, and from the worker's commit to the api's long-poll.
 * With tracing off there is no current span, and nothing is carried.
 */
public final class TraceContext {

    /** The W3C header name, also the job stream entry's field for it. */
    public static final String TRACEPARENT = "traceparent";

    private static final TextMapGetter<String> VALUE = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(TRACEPARENT);
        }

        @Override
        public String get(String carrier, String key) {
            return TRACEPARENT.equals(key) ? carrier : null;
        }
    };

    private TraceContext() {
    }

    /** The traceparent of the current span, when there is one being recorded. */
    public static Optional<String> current() {
        Map<String, String> carrier = new HashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
        return Optional.ofNullable(carrier.get(TRACEPARENT));
    }

    /** The context a traceparent names, as the parent of a new span; the root context when absent or invalid. */
    public static Context parent(String traceparent) {
        if (traceparent == null || traceparent.isEmpty()) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, VALUE);
    }

    /** The span a traceparent names, to link to; empty when absent or invalid. */
    public static Optional<SpanContext> spanContext(String traceparent) {
        SpanContext context = Span.fromContext(parent(traceparent)).getSpanContext();
        return context.isValid() ? Optional.of(context) : Optional.empty();
    }
}
