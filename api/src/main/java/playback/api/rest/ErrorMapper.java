package playback.api.rest;

import io.quarkus.logging.Log;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import playback.api.auth.Forbidden;
import playback.api.auth.Unauthenticated;
import playback.api.http.AllowedMethods;
import playback.api.http.ErrorBody;
import playback.api.service.RecordingRefused;
import playback.api.service.StorageUnavailable;
import playback.outage.Outage;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Every error becomes {"error": code, "message": text}; nothing leaks a stack trace. A refused provider
 * webhook is a call or recording the product will not show, so it is logged once at WARN; other client
 * errors are expected and stay quiet.
 */
public class ErrorMapper {

    private static final int OUTAGE_RETRY_AFTER_SECONDS = 5;
    private static final String WEBHOOK_PATH = "api/webhooks/";
    /** An outage is one problem: warned once in this long per dependency, each further 503 at DEBUG. */
    private static final long OUTAGE_WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final ConcurrentMap<String, Long> OUTAGE_WARNED = new ConcurrentHashMap<>();

    @ServerExceptionMapper
    public Response apiError(ApiException e, UriInfo uri) {
        warnIfWebhook(uri, e.status(), e.code(), e.getMessage());
        Response.ResponseBuilder response = Response.status(e.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(e.code(), e.getMessage()));
        if (e.status() == 401) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (e.retryAfter() != null) {
            response.header(HttpHeaders.RETRY_AFTER, Math.max(1, e.retryAfter().toSeconds()));
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response unauthenticated(Unauthenticated e, UriInfo uri) {
        return apiError(ApiException.unauthorized(e.getMessage()), uri);
    }

    @ServerExceptionMapper
    public Response forbidden(Forbidden e, UriInfo uri) {
        return apiError(ApiException.forbidden("forbidden", e.getMessage()), uri);
    }

    @ServerExceptionMapper
    public Response refused(RecordingRefused e, UriInfo uri) {
        return apiError(switch (e.reason()) {
            case NO_SUCH_CALL -> ApiException.notFound("not_found", "no such call");
            case NO_RECORDING -> ApiException.notFound("no_recording", "the call has no completed recording");
            case INVALID_STREAM_TOKEN -> ApiException.forbidden("invalid_stream_token",
                    "the stream URL is invalid or expired");
        }, uri);
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> httpError(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        String code = switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "http_" + status;
        };
        String message = status >= 500 ? "internal error" : Response.Status.fromStatusCode(status) == null
                ? "request refused" : Response.Status.fromStatusCode(status).getReasonPhrase();
        warnIfWebhook(uri, status, code, message);
        RestResponse.ResponseBuilder<ErrorBody> response = RestResponse.ResponseBuilder.<ErrorBody>create(status)
                .entity(new ErrorBody(code, message)).type(MediaType.APPLICATION_JSON_TYPE);
        String allow = status == 405 ? AllowedMethods.forPath(uri.getPath()) : null;
        if (allow != null) {
            response.header(HttpHeaders.ALLOW, allow);
        }
        return response.build();
    }

    private static void warnIfWebhook(UriInfo uri, int status, String code, String message) {
        String path = uri == null ? "" : uri.getPath();
        if (path.contains(WEBHOOK_PATH)) {
            Log.warnf("refused a provider webhook %s: %d %s: %s",
                    path.length() > 80 ? path.substring(0, 80) + "…" : path, status, code, message);
        }
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> unexpected(Exception e) {
        String unavailable = unavailableDependency(e);
        if (unavailable != null) {
            if (firstOfOutage(unavailable)) {
                Log.warnf("answering 503: %s is unavailable (%s)", unavailable, rootMessage(e));
            } else {
                Log.debugf("answering 503: %s is unavailable (%s)", unavailable, rootMessage(e));
            }
            return RestResponse.ResponseBuilder.<ErrorBody>create(503)
                    .entity(new ErrorBody(unavailable + "_unavailable",
                            "the service is briefly unavailable; try again shortly"))
                    .header(HttpHeaders.RETRY_AFTER, OUTAGE_RETRY_AFTER_SECONDS)
                    .type(MediaType.APPLICATION_JSON_TYPE).build();
        }
        Log.errorf(e, "unexpected error");
        return RestResponse.ResponseBuilder.<ErrorBody>create(500).entity(new ErrorBody("internal_error", "internal error"))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** True for the first 503 of a dependency's outage (none in the last 30 s). */
    private static boolean firstOfOutage(String dependency) {
        long now = System.nanoTime();
        Long last = OUTAGE_WARNED.get(dependency);
        if (last != null && now - last < OUTAGE_WARNING_INTERVAL_NANOS) {
            return false;
        }
        return last == null ? OUTAGE_WARNED.putIfAbsent(dependency, now) == null
                : OUTAGE_WARNED.replace(dependency, last, now);
    }

    /**
     * "database", "redis" or "storage" when the failure is that dependency being down or unreachable (an
     * outage is a 503 with Retry-After, not a 500); null for anything else.
     */
    static String unavailableDependency(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StorageUnavailable) {
                return "storage";
            }
        }
        return Outage.of(e).map(Outage::code).orElse(null);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
