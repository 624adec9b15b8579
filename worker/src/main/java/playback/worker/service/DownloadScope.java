package playback.worker.service;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.MDC;
import playback.queue.DownloadJob;
import playback.tracing.TraceContext;
import playback.worker.queue.JobStream;

import java.util.function.Supplier;

/**
 * What the worker's handling of one job runs inside: the log context every line of it carries
 * ({@link #BUSINESS_ID}, {@link #CALL_SID}, {@link #RUN_ID}) and, with tracing on, its span, a child of
 * the request that enqueued the job. Both are cleared when the handling ends; the lease keeper's
 * callbacks, on their own thread, run inside the same context ({@link #around}).
 */
@ApplicationScoped
public class DownloadScope {

    public static final String BUSINESS_ID = "business_id";
    public static final String CALL_SID = "call_sid";
    public static final String RUN_ID = "run_id";

    static final String DOWNLOAD_SPAN = "recording download";
    static final String COMMIT_SPAN = "recording commit";

    private final Tracer tracer;

    public DownloadScope(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Opens the context of one delivered job; close it when its handling ends. */
    public Handling open(JobStream.Delivery delivery) {
        DownloadJob job = delivery.job();
        Span span = tracer.spanBuilder(DOWNLOAD_SPAN)
                .setParent(TraceContext.parent(delivery.traceparent()))
                .setSpanKind(SpanKind.CONSUMER)
                .setAttribute("playback.business_id", job.businessId())
                .setAttribute("playback.call_sid", job.callSid())
                .setAttribute("playback.run_id", job.runId())
                .startSpan();
        return new Handling(job, span, span.makeCurrent());
    }

    /** The task, run with the log and trace context of the job being handled now, on any thread. */
    public Runnable around(Runnable task) {
        Object businessId = MDC.get(BUSINESS_ID);
        Object callSid = MDC.get(CALL_SID);
        Object runId = MDC.get(RUN_ID);
        Runnable traced = Context.current().wrap(task);
        return () -> {
            MDC.put(BUSINESS_ID, businessId);
            MDC.put(CALL_SID, callSid);
            MDC.put(RUN_ID, runId);
            try {
                traced.run();
            } finally {
                clearLogContext();
            }
        };
    }

    /** Stores the run: a child span of the download, the storage commit and the database's together. */
    public <T> T commit(Supplier<T> step) {
        Span span = tracer.spanBuilder(COMMIT_SPAN).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return step.get();
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
        }
    }

    /** The handling of one job: closing it ends its span and clears its log context. */
    public static final class Handling implements AutoCloseable {
        private final Span span;
        private final Scope scope;

        private Handling(DownloadJob job, Span span, Scope scope) {
            this.span = span;
            this.scope = scope;
            MDC.put(BUSINESS_ID, Long.toString(job.businessId()));
            MDC.put(CALL_SID, job.callSid());
            MDC.put(RUN_ID, Long.toString(job.runId()));
        }

        @Override
        public void close() {
            try {
                scope.close();
                span.end();
            } finally {
                clearLogContext();
            }
        }
    }

    private static void clearLogContext() {
        MDC.remove(BUSINESS_ID);
        MDC.remove(CALL_SID);
        MDC.remove(RUN_ID);
    }
}
