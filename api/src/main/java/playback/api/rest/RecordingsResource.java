package playback.api.rest;

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
import org.jboss.resteasy.reactive.RestResponse;
import playback.api.auth.Authenticator;
import playback.api.auth.StreamUrlSigner;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import playback.api.service.RecordingCache;
import playback.api.service.RecordingService;
import playback.api.service.RecordingWaiters;
import playback.api.service.RecordingStatusView;
import playback.api.service.StreamDecision;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.model.Sids;

import java.time.Duration;
import java.util.Optional;

/** Recording status (check only), stream and download. */
@Path("/api/recordings/{callSid}")
public class RecordingsResource {

    private static final int MAX_WAIT_SECONDS = 30;

    private final Authenticator authenticator;
    private final StreamUrlSigner signer;
    private final RecordingService recordings;
    private final RecordingWaiters waiters;
    private final RecordingCache cache;

    public RecordingsResource(Authenticator authenticator, StreamUrlSigner signer, RecordingService recordings,
                              RecordingWaiters waiters, RecordingCache cache) {
        this.cache = cache;
        this.authenticator = authenticator;
        this.signer = signer;
        this.recordings = recordings;
        this.waiters = waiters;
    }

    /**
     * The status, at once; with {@code wait=S}, a long-poll: answered as soon as the recording is ready
     * or failed, else after S seconds with the status of that moment. While it waits it holds no thread
     * and no connection, and it stops when the client goes away.
     */
    @GET
    @Path("status")
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public Uni<RecordingStatusView> status(@PathParam("callSid") String callSid,
                                           @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                           @QueryParam("wait") String wait) {
        int seconds = parseWait(wait);
        long businessId = authenticator.authenticate(authorization).businessId();
        CallLog call = playableCall(callSid, businessId);
        if (seconds == 0 || isSettled(call)) {
            return Uni.createFrom().item(recordings.status(call));
        }
        RecordingWaiters.Waiter waiter = waiters.register(businessId, callSid);
        CallLog current = recordings.findCall(businessId, callSid).orElse(call);
        if (isSettled(current)) {
            waiter.cancel();
            return Uni.createFrom().item(recordings.status(current));
        }
        return waiter.changed()
                .ifNoItem().after(Duration.ofSeconds(seconds)).recoverWithItem((Void) null)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(changed -> recordings.status(recordings.findCall(businessId, callSid).orElse(current)))
                .onTermination().invoke(waiter::cancel);
    }

    private static boolean isSettled(CallLog call) {
        return call.downloadStatus == DownloadStatus.READY || call.downloadStatus == DownloadStatus.FAILED;
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
    }

    @GET
    @Path("stream")
    public Uni<RestResponse<Object>> stream(@BeanParam StreamRequest request) {
        return answerFast(request, false, false);
    }

    @HEAD
    @Path("stream")
    public Uni<RestResponse<Object>> streamHead(@BeanParam StreamRequest request) {
        return answerFast(request, true, false);
    }

    @GET
    @Path("download")
    public Uni<RestResponse<Object>> download(@BeanParam StreamRequest request) {
        return answerFast(request, false, true);
    }

    /**
     * On the event loop when the cache knows the answer (a ready file, or a download under way), like a
     * static file server; otherwise on a worker thread, where PostgreSQL decides.
     */
    private Uni<RestResponse<Object>> answerFast(StreamRequest request, boolean head, boolean attachment) {
        Optional<RestResponse<Object>> cached = fromCache(request, head, attachment);
        if (cached.isPresent()) {
            return Uni.createFrom().item(cached.get());
        }
        return Uni.createFrom().item(() -> answer(request, head, attachment))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Optional<RestResponse<Object>> fromCache(StreamRequest request, boolean head, boolean attachment) {
        boolean multipart = request.range != null && request.range.indexOf(',') >= 0;
        if (!Sids.isCallSid(request.callSid) || multipart) {
            return Optional.empty();
        }
        Optional<Long> businessId = request.token != null ? signer.claimedBusiness(request.token)
                : Optional.of(authenticator.authenticate(request.authorization).businessId());
        if (businessId.isEmpty()) {
            return Optional.empty();
        }
        Optional<RecordingCache.Ready> ready = cache.ready(businessId.get(), request.callSid);
        if (ready.isPresent()) {
            return tokenFits(request, businessId.get(), ready.get().recordingSid())
                    ? Optional.of(FileResponses.respond(ready.get().file(), fileRequest(request, head, attachment)))
                    : Optional.empty();
        }
        if (request.token != null) {
            return Optional.empty();
        }
        return cache.pending(businessId.get(), request.callSid)
                .map(pending -> statusAnswer(202, pending.status(), pending.retryAfter()));
    }

    private RestResponse<Object> answer(StreamRequest request, boolean head, boolean attachment) {
        requireCallSid(request.callSid);
        CallLog call;
        if (request.token != null) {
            // A signed stream URL: the token alone authorises, for its one recording, until it expires.
            ApiException refused = ApiException.forbidden("invalid_stream_token", "the stream URL is invalid or expired");
            long businessId = signer.claimedBusiness(request.token).orElseThrow(() -> refused);
            call = recordings.findCall(businessId, request.callSid).orElseThrow(() -> refused);
            if (!tokenFits(request, businessId, call.recordingSid) || !call.hasPlayableRecording()) {
                throw refused;
            }
        } else {
            call = playableCall(request.callSid, authenticator.authenticate(request.authorization).businessId());
        }
        StreamDecision decision = recordings.stream(call, request.explicit);
        if (decision instanceof StreamDecision.Serve serve) {
            return FileResponses.respond(serve.recording(), fileRequest(request, head, attachment));
        }
        if (decision instanceof StreamDecision.Pending pending) {
            return statusAnswer(202, pending.status(), pending.retryAfter());
        }
        if (decision instanceof StreamDecision.BackingOff backingOff) {
            return statusAnswer(503, backingOff.status(), backingOff.retryAfter());
        }
        return statusAnswer(410, ((StreamDecision.Gone) decision).status(), null);
    }

    /** A request without a token is authorised by its bearer; one with a token only for the recording it names. */
    private boolean tokenFits(StreamRequest request, long businessId, String recordingSid) {
        return request.token == null || signer.isValid(request.token, businessId, request.callSid, recordingSid);
    }

    private static FileResponses.Request fileRequest(StreamRequest request, boolean head, boolean attachment) {
        return new FileResponses.Request(head, request.range, request.ifMatch, request.ifRange, request.ifNoneMatch,
                request.ifModifiedSince, attachment);
    }

    private static RestResponse<Object> statusAnswer(int status, RecordingStatusView body, Duration retryAfter) {
        RestResponse.ResponseBuilder<Object> response = RestResponse.ResponseBuilder.<Object>create(status).entity(body)
                .type(MediaType.APPLICATION_JSON_TYPE);
        if (retryAfter != null) {
            response.header(HttpHeaders.RETRY_AFTER, Math.max(1, retryAfter.toSeconds()));
        }
        return response.build();
    }

    private CallLog playableCall(String callSid, long businessId) {
        requireCallSid(callSid);
        CallLog call = recordings.findCall(businessId, callSid)
                .orElseThrow(() -> ApiException.notFound("not_found", "no such call"));
        if (!call.hasPlayableRecording()) {
            throw ApiException.notFound("no_recording", "the call has no completed recording");
        }
        return call;
    }

    private static void requireCallSid(String callSid) {
        if (!Sids.isCallSid(callSid)) {
            throw ApiException.badRequest("invalid_sid", "a call SID is CA followed by 32 hex digits");
        }
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
