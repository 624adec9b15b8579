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
import playback.api.client.LiveAudioClient;
import playback.api.config.ApiConfig;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import playback.api.service.PlayMetrics;
import playback.api.service.PlayedRecordings;
import playback.api.service.RecordingCache;
import playback.api.service.RecordingService;
import playback.api.service.RecordingWaiters;
import playback.api.service.RecordingStatusView;
import playback.api.service.StorageUnavailable;
import playback.api.service.StoredRecording;
import playback.api.service.StreamDecision;
import playback.queue.RecordingEvents;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.model.Sids;

import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Recording status (check only), stream and download. */
@Path("/api/recordings/{callSid}")
public class RecordingsResource {

    private static final int MAX_WAIT_SECONDS = 30;

    private final Authenticator authenticator;
    private final StreamUrlSigner signer;
    private final RecordingService recordings;
    private final RecordingWaiters waiters;
    private final RecordingCache cache;
    private final ApiConfig.StreamUrl streamUrl;
    private final PlayMetrics metrics;
    private final PlayedRecordings played;
    private final LiveAudioClient live;

    public RecordingsResource(Authenticator authenticator, StreamUrlSigner signer, RecordingService recordings,
                              RecordingWaiters waiters, RecordingCache cache, ApiConfig config, PlayMetrics metrics,
                              PlayedRecordings played, LiveAudioClient live) {
        this.live = live;
        this.metrics = metrics;
        this.played = played;
        this.cache = cache;
        this.streamUrl = config.streamUrl();
        this.authenticator = authenticator;
        this.signer = signer;
        this.recordings = recordings;
        this.waiters = waiters;
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
    public Uni<RecordingStatusView> status(@PathParam("callSid") String callSid,
                                           @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                           @QueryParam("wait") String wait, @QueryParam("live") String live) {
        int seconds = parseWait(wait);
        boolean untilLive = parseLive(live);
        long businessId = authenticator.authenticate(authorization).businessId();
        CallLog call = playableCall(callSid, businessId);
        if (seconds == 0 || isSettled(call)) {
            return Uni.createFrom().item(recordings.status(call));
        }
        return awaitStatus(businessId, callSid, call, untilLive, System.nanoTime() + Duration.ofSeconds(seconds).toNanos());
    }

    /**
     * Waits until the recording settles (or, {@code untilLive}, has a live stream URL) or the deadline
     * passes; a change that brought neither makes it wait again for the time left.
     */
    private Uni<RecordingStatusView> awaitStatus(long businessId, String callSid, CallLog last, boolean untilLive,
                                                 long deadlineNanos) {
        RecordingWaiters.Waiter waiter = waiters.register(businessId, callSid, untilLive);
        CallLog current = recordings.findCall(businessId, callSid).orElse(last);
        long left = deadlineNanos - System.nanoTime();
        if (isSettled(current) || left <= 0) {
            waiter.cancel();
            return Uni.createFrom().item(recordings.status(current));
        }
        if (untilLive) {
            RecordingStatusView view = recordings.status(current);
            if (view.liveStreamUrl() != null) {
                waiter.cancel();
                return Uni.createFrom().item(view);
            }
        }
        return waiter.changed()
                .ifNoItem().after(Duration.ofNanos(left)).recoverWithItem((RecordingWaiters.Wake) null)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .onTermination().invoke(waiter::cancel)
                .flatMap(wake -> wake == RecordingWaiters.Wake.CHANGED
                        ? awaitStatus(businessId, callSid, current, true, deadlineNanos)
                        : Uni.createFrom().item(recordings.status(recordings.findCall(businessId, callSid).orElse(current))));
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
     * On the event loop when the cache knows the answer (a ready local file, or a download under way),
     * like a static file server; a cached recording of a remote store on a worker thread, where its
     * ranged read blocks; otherwise on a worker thread, where PostgreSQL decides (and a recording still
     * downloading is relayed from its worker, without holding the thread).
     */
    private Uni<RestResponse<Object>> answerFast(StreamRequest request, boolean head, boolean attachment) {
        if (request.token == null) {
            metrics.play(request.explicit);
        }
        return decideFast(request, head, attachment).invoke(response -> {
            metrics.answered(response.getStatus(), FileResponses.bodyLength(response.getEntity()));
            if (request.token == null && request.explicit) {
                metrics.explicitPlayAnswered(response.getStatus());
            }
        });
    }

    private Uni<RestResponse<Object>> decideFast(StreamRequest request, boolean head, boolean attachment) {
        Optional<Long> businessId = cacheableBusiness(request);
        if (businessId.isEmpty()) {
            return decide(request, head, attachment);
        }
        Optional<RecordingCache.Ready> ready = cache.ready(businessId.get(), request.callSid);
        if (ready.isPresent()) {
            if (!tokenFits(request, businessId.get(), ready.get().recordingSid())) {
                return decide(request, head, attachment);
            }
            StoredRecording file = ready.get().file();
            if (head || file.bytes() instanceof StoredRecording.LocalFile) {
                return Uni.createFrom().item(serveCached(businessId.get(), file, request, head, attachment));
            }
            return onWorker(() -> serveCached(businessId.get(), file, request, head, attachment));
        }
        if (request.token == null) {
            Optional<RecordingCache.Pending> pending = cache.pending(businessId.get(), request.callSid);
            if (pending.isPresent()) {
                if (request.explicit) {
                    metrics.duplicateBlocked(PlayMetrics.Guard.CACHE);
                }
                return Uni.createFrom().item(statusAnswer(202, pending.get().status(), pending.get().retryAfter()));
            }
        }
        return decide(request, head, attachment);
    }

    /** The business a request may be answered for from the cache; empty when PostgreSQL must decide. */
    private Optional<Long> cacheableBusiness(StreamRequest request) {
        boolean multipart = request.range != null && request.range.indexOf(',') >= 0;
        if (!Sids.isCallSid(request.callSid) || multipart) {
            return Optional.empty();
        }
        return request.token != null ? signer.claimedBusiness(request.token)
                : Optional.of(authenticator.authenticate(request.authorization).businessId());
    }

    private static Uni<RestResponse<Object>> onWorker(Supplier<RestResponse<Object>> answer) {
        return Uni.createFrom().item(answer).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /**
     * PostgreSQL decides, on a worker thread. A signed stream URL of a recording still downloading is
     * answered from the worker receiving it, relayed; when that worker no longer has it or cannot be
     * reached, PostgreSQL decides again, without the relay (the stored recording, or the status).
     */
    private Uni<RestResponse<Object>> decide(StreamRequest request, boolean head, boolean attachment) {
        return Uni.createFrom().item(() -> answer(request, head, attachment, true))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(decided -> decided.liveSource() == null ? Uni.createFrom().item(decided.response())
                        : live.open(decided.liveSource(), LiveResponses.forwardedRange(request.range, request.ifRange))
                        .flatMap(worker -> worker.isPresent() ? Uni.createFrom().item(LiveResponses.relay(worker.get(), head))
                                : onWorker(() -> answer(request, head, attachment, false).response())));
    }

    /** What PostgreSQL decided: the answer, or the worker to relay a recording from while it downloads. */
    private record Decided(RestResponse<Object> response, URI liveSource) {

        static Decided answer(RestResponse<Object> response) {
            return new Decided(response, null);
        }

        static Decided relay(URI liveSource) {
            return new Decided(null, liveSource);
        }
    }

    /** A recording the cache remembers; when its object turned out to be gone, PostgreSQL decides again. */
    private RestResponse<Object> serveCached(long businessId, StoredRecording file, StreamRequest request,
                                             boolean head, boolean attachment) {
        try {
            return respond(businessId, file, request, head, attachment);
        } catch (NoSuchFileException e) {
            cache.invalidate(RecordingEvents.Event.key(businessId, request.callSid));
            return answer(request, head, attachment, false).response();
        }
    }

    /**
     * Serves a ready recording, and records the play for cache retention (off this thread).
     *
     * @throws NoSuchFileException the store no longer has the recording's object
     */
    private RestResponse<Object> respond(long businessId, StoredRecording file, StreamRequest request, boolean head,
                                         boolean attachment) throws NoSuchFileException {
        RestResponse<Object> response = respondWith(file, request, head, attachment);
        played.served(businessId, request.callSid);
        return response;
    }

    private RestResponse<Object> respondWith(StoredRecording file, StreamRequest request, boolean head,
                                             boolean attachment) throws NoSuchFileException {
        if (streamUrl.delivery() == ApiConfig.Delivery.REDIRECT && file.bytes() instanceof StoredRecording.StoredObject object) {
            Optional<URI> presigned = object.storage().presignedUrl(object.key(), streamUrl.redirectTtl(),
                    attachment ? Optional.of(FileResponses.attachment(file)) : Optional.empty());
            if (presigned.isPresent()) {
                return RestResponse.ResponseBuilder.create(RestResponse.Status.TEMPORARY_REDIRECT)
                        .header(HttpHeaders.LOCATION, presigned.get().toString())
                        .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
            }
        }
        try {
            return FileResponses.respond(file, fileRequest(request, head, attachment));
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageUnavailable(e);
        }
    }

    /** {@code mayRelay}: a signed stream URL of a recording still downloading may be relayed from its worker. */
    private Decided answer(StreamRequest request, boolean head, boolean attachment, boolean mayRelay) {
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
            try {
                return Decided.answer(respond(call.businessId, serve.recording(), request, head, attachment));
            } catch (NoSuchFileException e) {
                decision = recordings.objectMissing(call, request.explicit);
            }
        }
        if (decision instanceof StreamDecision.Serve serve) {
            // Stored again meanwhile (another Play's download): served, or a 503 when it is gone once more.
            try {
                return Decided.answer(respond(call.businessId, serve.recording(), request, head, attachment));
            } catch (NoSuchFileException e) {
                throw new StorageUnavailable(e);
            }
        }
        if (decision instanceof StreamDecision.Pending pending) {
            if (mayRelay && request.token != null && !attachment && pending.liveSource().isPresent()
                    && LiveResponses.relayable(request.ifMatch)) {
                return Decided.relay(pending.liveSource().get());
            }
            return Decided.answer(statusAnswer(202, pending.status(), pending.retryAfter()));
        }
        if (decision instanceof StreamDecision.BackingOff backingOff) {
            return Decided.answer(statusAnswer(503, backingOff.status(), backingOff.retryAfter()));
        }
        return Decided.answer(statusAnswer(410, ((StreamDecision.Gone) decision).status(), null));
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
