package playback.api.http;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A signed stream URL is a capability (docs/api.md): its {@code token} must not reach a trace
 * backend. The HTTP server spans record the request's query; this drops the token's value from it
 * before the span is exported.
 */
@ApplicationScoped
public class StreamTokenRedaction implements SpanProcessor {

    static final String REDACTED = "token=REDACTED";
    private static final Pattern TOKEN = Pattern.compile("(?<=^|[?&])token=[^&#]*");
    private static final List<AttributeKey<String>> REQUEST_TARGETS = List.of(
            AttributeKey.stringKey("url.query"), AttributeKey.stringKey("url.full"),
            AttributeKey.stringKey("http.target"), AttributeKey.stringKey("http.url"));

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        for (AttributeKey<String> key : REQUEST_TARGETS) {
            String value = span.getAttribute(key);
            if (value != null && value.contains("token=")) {
                span.setAttribute(key, TOKEN.matcher(value).replaceAll(REDACTED));
            }
        }
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }
}
