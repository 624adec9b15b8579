package playback.api.service;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import playback.api.auth.StreamUrlSigner;
import playback.model.CallLog;
import playback.queue.RecordingEvents;

import java.util.Optional;

/**
 * Decides a Play: who may have the recording, and whether it is served, relayed while it downloads,
 * queued, waited for, backing off or gone. The cache answers on the caller's thread when it knows (a
 * ready recording, like a static file server, or a download under way); otherwise PostgreSQL decides on
 * a worker thread, from the call read once.
 */
@ApplicationScoped
public class PlayService {

    private final RecordingService recordings;
    private final RecordingCache cache;
    private final StreamUrlSigner signer;
    private final PlayMetrics metrics;
    private final PlayedRecordings played;

    public PlayService(RecordingService recordings, RecordingCache cache, StreamUrlSigner signer, PlayMetrics metrics,
                       PlayedRecordings played) {
        this.recordings = recordings;
        this.cache = cache;
        this.signer = signer;
        this.metrics = metrics;
        this.played = played;
    }

    /**
     * The decision for a Play.
     *
     * @throws RecordingRefused (as the failure) the request may not have this recording
     */
    public Uni<PlayDecision> play(PlayRequest request) {
        Optional<PlayDecision> cached = request.cache() ? cached(request) : Optional.empty();
        if (cached.isPresent()) {
            return Uni.createFrom().item(cached.get());
        }
        return Uni.createFrom().item(() -> decide(request)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** What the cache knows of the recording; empty when PostgreSQL must decide. */
    private Optional<PlayDecision> cached(PlayRequest request) {
        Optional<Long> businessId = request.access() instanceof PlayRequest.Signed signed
                ? signer.claimedBusiness(signed.token())
                : Optional.of(((PlayRequest.Bearer) request.access()).businessId());
        if (businessId.isEmpty()) {
            return Optional.empty();
        }
        Optional<RecordingCache.Ready> ready = cache.ready(businessId.get(), request.callSid());
        if (ready.isPresent()) {
            if (!fits(request, businessId.get(), ready.get().recordingSid())) {
                return Optional.empty();
            }
            return Optional.of(new PlayDecision.Serve(ready.get().file(), businessId.get(), request.callSid(),
                    Optional.empty()));
        }
        if (request.access() instanceof PlayRequest.Bearer) {
            Optional<RecordingCache.Pending> pending = cache.pending(businessId.get(), request.callSid());
            if (pending.isPresent()) {
                if (request.explicit()) {
                    metrics.duplicateBlocked(PlayMetrics.Guard.CACHE);
                }
                return Optional.of(new PlayDecision.Waiting(pending.get().status(), pending.get().retryAfter()));
            }
        }
        return Optional.empty();
    }

    /** PostgreSQL decides (blocking). */
    private PlayDecision decide(PlayRequest request) {
        return recordings.stream(playableCall(request), request.explicit(), relays(request));
    }

    /** The call the request may play, read once. */
    private CallLog playableCall(PlayRequest request) {
        if (request.access() instanceof PlayRequest.Bearer bearer) {
            return recordings.playableCall(bearer.businessId(), request.callSid());
        }
        RecordingRefused refused = new RecordingRefused(RecordingRefused.Reason.INVALID_STREAM_TOKEN);
        long businessId = signer.claimedBusiness(((PlayRequest.Signed) request.access()).token())
                .orElseThrow(() -> refused);
        CallLog call = recordings.findCall(businessId, request.callSid()).orElseThrow(() -> refused);
        if (!fits(request, businessId, call.recordingSid) || !call.hasPlayableRecording()) {
            throw refused;
        }
        return call;
    }

    /** A bearer's request fits any recording of its business; a signed one only the recording it names. */
    private boolean fits(PlayRequest request, long businessId, String recordingSid) {
        return !(request.access() instanceof PlayRequest.Signed signed)
                || signer.isValid(signed.token(), businessId, request.callSid(), recordingSid);
    }

    /** Only a signed stream URL is answered with the bytes of a recording still downloading. */
    private static boolean relays(PlayRequest request) {
        return request.relay() && request.access() instanceof PlayRequest.Signed;
    }

    /**
     * The store no longer has the object of a recording just decided to be served (found by its ranged
     * read, on a worker thread): decided anew. A recording the cache remembered is forgotten and decided by
     * PostgreSQL; one this request read becomes missing and is decided again.
     */
    public PlayDecision objectMissing(PlayRequest request, PlayDecision.Serve serve) {
        if (serve.read().isEmpty()) {
            cache.invalidate(RecordingEvents.Event.key(serve.businessId(), serve.callSid()));
            return decide(request.fromDatabase());
        }
        return recordings.objectMissing(serve.read().get(), request.explicit(), relays(request));
    }

    /** The recording was served: its last play, for cache retention, is written off this thread. */
    public void served(PlayDecision.Serve serve) {
        played.served(serve.businessId(), serve.callSid());
    }
}
