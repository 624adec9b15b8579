package playback.api.rest;

import io.quarkus.runtime.BlockingOperationControl;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;
import playback.api.auth.Authenticator;
import playback.api.http.RecordingRequest;
import playback.api.http.RecordingResponses;
import playback.api.service.PlayDecision;
import playback.api.service.PlayMetrics;
import playback.api.service.PlayRequest;
import playback.api.service.PlayService;
import playback.api.service.RecordingStatusView;
import playback.api.service.StatusPoll;
import playback.api.service.StorageUnavailable;
import playback.model.Sids;

import java.nio.file.NoSuchFileException;
import java.time.Duration;

/** Recording status (check only), stream and download. */
@Path("/api/recordings/{callSid}")
public class RecordingsResource {

    private static final int MAX_WAIT_SECONDS = 30;

    private final Authenticator authenticator;
    private final PlayService plays;
    private final StatusPoll statuses;
    private final RecordingResponses responses;
    private final PlayMetrics metrics;

    public RecordingsResource(Authenticator authenticator, PlayService plays, StatusPoll statuses,
                              RecordingResponses responses, PlayMetrics metrics) {
        this.authenticator = authenticator;
        this.plays = plays;
        this.statuses = statuses;
        this.responses = responses;
        this.metrics = metrics;
    }

    /**
     * The status, at once; with {@code wait=S}, a long-poll: answered as soon as the recording is ready
     * or failed (with {@code live=true}, also as soon as it can be played while it downloads), else after
     * S seconds with the status of that moment. While it waits it holds no thread and no connection, and
     * it stops when the client goes away.
     */
    @GET
    @Path("status")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @APIResponse(responseCode = "200", description = "the recording's status")
    @APIResponse(responseCode = "400", description = "invalid call SID, wait or live")
    @APIResponse(responseCode = "401", description = "no valid bearer token")
    @APIResponse(responseCode = "404", description = "no such call, or no completed recording")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public Uni<RecordingStatusView> status(@PathParam("callSid") String callSid,
                                           @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                           @QueryParam("wait") String wait, @QueryParam("live") String live) {
        Duration seconds = Duration.ofSeconds(parseWait(wait));
        boolean untilLive = parseLive(live);
        long businessId = authenticator.authenticate(authorization).businessId();
        requireCallSid(callSid);
        return statuses.status(businessId, callSid, seconds, untilLive);
    }

    /** What the stream and download endpoints read from a request. */
    public static class StreamRequest {
        @PathParam("callSid")
        String callSid;
        @QueryParam("token")
        String token;
        @QueryParam("explicit_user_action")
        boolean explicit;
        @HeaderParam(HttpHeaders.AUTHORIZATION)
        String authorization;
        @HeaderParam("Range")
        String range;
        @HeaderParam(HttpHeaders.IF_MATCH)
        String ifMatch;
        @HeaderParam("If-Range")
        String ifRange;
        @HeaderParam(HttpHeaders.IF_NONE_MATCH)
        String ifNoneMatch;
        @HeaderParam(HttpHeaders.IF_MODIFIED_SINCE)
        String ifModifiedSince;

        RecordingRequest recording(boolean head, boolean attachment) {
            return new RecordingRequest(head, attachment, range, ifMatch, ifRange, ifNoneMatch, ifModifiedSince);
        }
    }

    @GET
    @Path("stream")
    @APIResponse(responseCode = "200", description = "the recording, or with a token its bytes so far while it downloads")
    @APIResponse(responseCode = "202", description = "not stored: queued now or already, downloading, or missing; the status")
    @APIResponse(responseCode = "206", description = "the requested ranges")
    @APIResponse(responseCode = "304", description = "not modified")
    @APIResponse(responseCode = "307", description = "delivery=redirect: a presigned URL of the store")
    @APIResponse(responseCode = "400", description = "invalid call SID")
    @APIResponse(responseCode = "401", description = "no token, and no valid bearer token")
    @APIResponse(responseCode = "403", description = "invalid or expired stream token, or one of another recording")
    @APIResponse(responseCode = "404", description = "no such call, or no completed recording")
    @APIResponse(responseCode = "410", description = "the provider no longer has the recording; the status")
    @APIResponse(responseCode = "412", description = "If-Match names none of the recording's entity tags")
    @APIResponse(responseCode = "416", description = "no requested range is satisfiable")
    @APIResponse(responseCode = "503", description = "failure backoff (the status), or a store or database down; Retry-After")
    public Uni<RestResponse<Object>> stream(@BeanParam StreamRequest request) {
        return play(request, request.recording(false, false));
    }

    @HEAD
    @Path("stream")
    @APIResponse(responseCode = "200", description = "the headers of the recording")
    @APIResponse(responseCode = "202", description = "not stored: queued now or already, downloading, or missing; the status")
    @APIResponse(responseCode = "206", description = "the requested ranges")
    @APIResponse(responseCode = "304", description = "not modified")
    @APIResponse(responseCode = "307", description = "delivery=redirect: a presigned URL of the store")
    @APIResponse(responseCode = "400", description = "invalid call SID")
    @APIResponse(responseCode = "401", description = "no token, and no valid bearer token")
    @APIResponse(responseCode = "403", description = "invalid or expired stream token, or one of another recording")
    @APIResponse(responseCode = "404", description = "no such call, or no completed recording")
    @APIResponse(responseCode = "410", description = "the provider no longer has the recording; the status")
    @APIResponse(responseCode = "412", description = "If-Match names none of the recording's entity tags")
    @APIResponse(responseCode = "416", description = "no requested range is satisfiable")
    @APIResponse(responseCode = "503", description = "failure backoff (the status), or a store or database down; Retry-After")
    public Uni<RestResponse<Object>> streamHead(@BeanParam StreamRequest request) {
        return play(request, request.recording(true, false));
    }

    @GET
    @Path("download")
    @APIResponse(responseCode = "200", description = "the recording as an attachment")
    @APIResponse(responseCode = "202", description = "not stored: queued now or already, downloading, or missing; the status")
    @APIResponse(responseCode = "206", description = "the requested ranges")
    @APIResponse(responseCode = "304", description = "not modified")
    @APIResponse(responseCode = "307", description = "delivery=redirect: a presigned URL of the store")
    @APIResponse(responseCode = "400", description = "invalid call SID")
    @APIResponse(responseCode = "401", description = "no token, and no valid bearer token")
    @APIResponse(responseCode = "403", description = "invalid or expired stream token, or one of another recording")
    @APIResponse(responseCode = "404", description = "no such call, or no completed recording")
    @APIResponse(responseCode = "410", description = "the provider no longer has the recording; the status")
    @APIResponse(responseCode = "412", description = "If-Match names none of the recording's entity tags")
    @APIResponse(responseCode = "416", description = "no requested range is satisfiable")
    @APIResponse(responseCode = "503", description = "failure backoff (the status), or a store or database down; Retry-After")
    public Uni<RestResponse<Object>> download(@BeanParam StreamRequest request) {
        return play(request, request.recording(false, true));
    }

    /**
     * The Play's decision, as HTTP. A request with several ranges is decided by PostgreSQL, not the cache;
     * only a stream, not a download, may get the bytes of a recording still downloading.
     */
    private Uni<RestResponse<Object>> play(StreamRequest request, RecordingRequest http) {
        if (request.token == null) {
            metrics.play(request.explicit);
        }
        requireCallSid(request.callSid);
        PlayRequest.Access access = request.token != null ? new PlayRequest.Signed(request.token)
                : new PlayRequest.Bearer(authenticator.authenticate(request.authorization).businessId());
        PlayRequest play = new PlayRequest(request.callSid, access, request.explicit,
                !http.attachment() && http.acceptsUnstoredBytes(), !http.multipart());
        return plays.play(play).flatMap(decision -> answer(play, http, decision, false)).invoke(response -> {
            metrics.answered(response.getStatus(), RecordingResponses.bodyLength(response.getEntity()));
            if (request.token == null && request.explicit) {
                metrics.explicitPlayAnswered(response.getStatus());
            }
        });
    }

    /**
     * {@code missingOnce}: the decision follows a recording this request found gone from the store; finding
     * it gone again is a 503.
     */
    private Uni<RestResponse<Object>> answer(PlayRequest play, RecordingRequest http, PlayDecision decision,
                                             boolean missingOnce) {
        if (decision instanceof PlayDecision.Serve serve) {
            if (RecordingResponses.blocks(serve.recording(), http) && !BlockingOperationControl.isBlockingAllowed()) {
                return Uni.createFrom().deferred(() -> serve(play, http, serve, missingOnce))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
            }
            return serve(play, http, serve, missingOnce);
        }
        if (decision instanceof PlayDecision.Relay relay) {
            // When the worker no longer has the recording or cannot be reached, PostgreSQL decides again.
            return responses.relayed(relay.source(), http).flatMap(relayed -> relayed.isPresent()
                    ? Uni.createFrom().item(relayed.get())
                    : plays.play(play.fromDatabase()).flatMap(again -> answer(play, http, again, missingOnce)));
        }
        if (decision instanceof PlayDecision.Enqueued enqueued) {
            return status(202, enqueued.status(), enqueued.retryAfter());
        }
        if (decision instanceof PlayDecision.Waiting waiting) {
            return status(202, waiting.status(), waiting.retryAfter());
        }
        if (decision instanceof PlayDecision.BackingOff backingOff) {
            return status(503, backingOff.status(), backingOff.retryAfter());
        }
        return status(410, ((PlayDecision.Gone) decision).status(), null);
    }

    /** The stored recording, its play recorded; an object gone from the store is decided again, once. */
    private Uni<RestResponse<Object>> serve(PlayRequest play, RecordingRequest http, PlayDecision.Serve serve,
                                            boolean missingOnce) {
        RestResponse<Object> response;
        try {
            response = responses.stored(serve.recording(), http);
        } catch (NoSuchFileException e) {
            if (missingOnce) {
                throw new StorageUnavailable(e);
            }
            // A recording the cache remembered may be found gone once more after PostgreSQL decides.
            return answer(play, http, plays.objectMissing(play, serve), serve.read().isPresent());
        }
        plays.served(serve);
        return Uni.createFrom().item(response);
    }

    private static Uni<RestResponse<Object>> status(int status, RecordingStatusView body, Duration retryAfter) {
        RestResponse.ResponseBuilder<Object> response = RestResponse.ResponseBuilder.<Object>create(status).entity(body)
                .type(MediaType.APPLICATION_JSON_TYPE);
        if (retryAfter != null) {
            response.header(HttpHeaders.RETRY_AFTER, Math.max(1, retryAfter.toSeconds()));
        }
        return Uni.createFrom().item(response.build());
    }

    private static void requireCallSid(String callSid) {
        if (!Sids.isCallSid(callSid)) {
            throw ApiException.badRequest("invalid_sid", "a call SID is CA followed by 32 hex digits");
        }
    }

    private static boolean parseLive(String live) {
        if (live == null || live.isEmpty() || live.equals("false")) {
            return false;
        }
        if (live.equals("true")) {
            return true;
        }
        throw ApiException.badRequest("invalid_live", "live must be true or false");
    }

    private static int parseWait(String wait) {
        if (wait == null || wait.isEmpty()) {
            return 0;
        }
        try {
            int seconds = Integer.parseInt(wait);
            if (seconds >= 0 && seconds <= MAX_WAIT_SECONDS) {
                return seconds;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest("invalid_wait", "wait must be an integer from 0 to " + MAX_WAIT_SECONDS);
    }
}
