package playback.worker;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import playback.queue.DownloadJob;
import playback.worker.queue.JobStream;
import playback.worker.service.DownloadScope;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The context one job's handling runs in: its log fields, on every thread that works for it, and its spans. */
class DownloadScopeTest {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String PLAY_SPAN_ID = "b7ad6b7169203331";
    private static final JobStream.Delivery DELIVERY = new JobStream.Delivery("1-0",
            new DownloadJob(42, 7, "CA0123456789abcdef0123456789abcdef"), "00-" + TRACE_ID + "-" + PLAY_SPAN_ID + "-01");

    private final List<SpanData> ended = new CopyOnWriteArrayList<>();
    private final SdkTracerProvider tracing = SdkTracerProvider.builder().addSpanProcessor(new SpanProcessor() {
        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {
        }

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            ended.add(span.toSpanData());
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }
    }).build();
    private final DownloadScope scope = new DownloadScope(tracing.get("test"));
    private final ExecutorService keeper = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() {
        keeper.shutdownNow();
        tracing.close();
    }

    @Test
    void theJobsLogFieldsAreSetWhileItIsHandledOnEveryThreadAndClearedAfter() throws Exception {
        Map<String, Object> onTheKeeper;
        try (DownloadScope.Handling handling = scope.open(DELIVERY)) {
            assertEquals(Map.of("business_id", "7", "call_sid", "CA0123456789abcdef0123456789abcdef", "run_id", "42"),
                    logFields());
            CompletableFuture<Map<String, Object>> seen = new CompletableFuture<>();
            keeper.execute(scope.around(() -> seen.complete(logFields())));
            onTheKeeper = seen.get();
        }
        assertEquals(Map.of("business_id", "7", "call_sid", "CA0123456789abcdef0123456789abcdef", "run_id", "42"),
                onTheKeeper, "the lease keeper's callback logs with the job's fields");
        assertEquals(Map.of(), logFields(), "cleared when the handling ends");
        assertEquals(Map.of(), keeper.submit(DownloadScopeTest::logFields).get(), "cleared on the keeper's thread too");
    }

    @Test
    void theDownloadIsAChildOfTheEnqueuingRequestAndTheCommitAChildOfTheDownload() {
        try (DownloadScope.Handling handling = scope.open(DELIVERY)) {
            scope.commit(() -> "committed");
        }

        SpanData download = ended.stream().filter(span -> span.getName().equals("recording download")).findFirst().orElseThrow();
        SpanData commit = ended.stream().filter(span -> span.getName().equals("recording commit")).findFirst().orElseThrow();
        assertEquals(TRACE_ID, download.getTraceId());
        assertEquals(PLAY_SPAN_ID, download.getParentSpanId());
        assertEquals(SpanKind.CONSUMER, download.getKind());
        assertEquals(download.getSpanId(), commit.getParentSpanId());
        assertFalse(Span.current().getSpanContext().isValid(), "no span is current after the handling");
    }

    @Test
    void aJobWithoutTraceContextStartsItsOwnTrace() {
        JobStream.Delivery untraced = new JobStream.Delivery("1-0", DELIVERY.job(), null);
        try (DownloadScope.Handling handling = scope.open(untraced)) {
            assertTrue(Span.current().getSpanContext().isValid(), "the download's own span is current");
        }
        SpanData download = ended.get(0);
        assertEquals(SpanId.getInvalid(), download.getParentSpanId(), "a root span");
        assertFalse(Span.current().getSpanContext().isValid());
    }

    private static Map<String, Object> logFields() {
        Map<String, Object> fields = new HashMap<>(MDC.getMap());
        fields.keySet().retainAll(List.of("business_id", "call_sid", "run_id"));
        return fields;
    }
}
