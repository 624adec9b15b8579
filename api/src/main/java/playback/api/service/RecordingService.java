package playback.api.service;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import playback.api.auth.StreamUrlSigner;
import playback.api.config.ApiConfig;
import playback.controls.BusinessControls;
import playback.lifecycle.DownloadRuns;
import playback.lifecycle.PlayQueue;
import playback.lifecycle.RecordingRules;
import playback.lifecycle.RunRecovery;
import playback.lifecycle.StoredRecordings;
import playback.live.LiveConfig;
import playback.model.CallLog;
import playback.model.DownloadStatus;
import playback.model.FailureReason;
import playback.model.Lane;
import playback.model.RetryConfig;
import playback.model.RunStatus;
import playback.queue.DownloadJob;
import playback.queue.JobQueue;
import playback.storage.RecordingStorage;
import playback.queue.RecordingEvents;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.LongPredicate;

/**
 * Decides what a request for a recording gets: the file, a 202 while it downloads, a 503 inside the
 * failure backoff, a 410 when the provider lost it. On an explicit request for a missing recording it
 * enqueues at most one download: stored file, then active run, cooldown, backoff, Redis SET NX, the
 * run insert, and only then XADD. The insert re-checks the call's state under a row lock and the
 * partial unique index refuses a second active run, so a request acting on a stale read (the recording
 * became ready meanwhile, the dedup key expired or was flushed) cannot start a second download.
 */
@ApplicationScoped
public class RecordingService {

    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(3);
    /** A dedup key whose run is not in the database yet is trusted this long (the owner is mid-insert). */
    private static final Duration DEDUP_INSERT_GRACE = Duration.ofSeconds(30);

    private final PlayQueue playQueue;
    private final RunRecovery recovery;
    private final DownloadRuns downloadRuns;
    private final StoredRecordings storedRecordings;
    private final JobQueue queue;
    private final RecordingStorage storage;
    private final StreamUrlSigner signer;
    private final RetryConfig retry;
    private final RecordingCache cache;
    private final Duration dedupTtl;
    private final PlayMetrics metrics;
    private final BusinessControls controls;
    private final boolean liveServed;

    public RecordingService(PlayQueue playQueue, DownloadRuns downloadRuns, StoredRecordings storedRecordings,
                            JobQueue queue, RecordingStorage storage, StreamUrlSigner signer,
                            RetryConfig retry, RecordingCache cache, ApiConfig config, PlayMetrics metrics,
                            BusinessControls controls, LiveConfig live, RunRecovery recovery) {
        this.recovery = recovery;
        this.liveServed = live.token().isPresent();
        this.metrics = metrics;
        this.controls = controls;
        this.cache = cache;
        this.playQueue = playQueue;
        this.downloadRuns = downloadRuns;
        this.storedRecordings = storedRecordings;
        this.queue = queue;
        this.storage = storage;
        this.signer = signer;
        this.retry = retry;
        this.dedupTtl = config.enqueue().dedupTtl();
    }

    /** The call, when this business has it. */
    public Optional<CallLog> findCall(long businessId, String callSid) {
        return QuarkusTransaction.requiringNew().call(() -> CallLog.findForBusiness(businessId, callSid));
    }

    /**
     * The call of this business, with a completed recording.
     *
     * @throws RecordingRefused the business has no such call, or it has no completed recording
     */
    public CallLog playableCall(long businessId, String callSid) {
        CallLog call = findCall(businessId, callSid)
                .orElseThrow(() -> new RecordingRefused(RecordingRefused.Reason.NO_SUCH_CALL));
        if (!call.hasPlayableRecording()) {
            throw new RecordingRefused(RecordingRefused.Reason.NO_RECORDING);
        }
        return call;
    }

    public RecordingStatusView status(CallLog call) {
        return status(call, liveSource(call));
    }

    /**
     * Where the recording's bytes can be read while it downloads (the internal URL of the worker
     * receiving it); empty when it is not downloading, its first bytes have not proved audio yet, or
     * this replica has no token to read a worker's downloads with.
     */
    public Optional<URI> liveSource(CallLog call) {
        if (!liveServed || call.downloadStatus != DownloadStatus.DOWNLOADING) {
            return Optional.empty();
        }
        return downloadRuns.liveSource(call.businessId, call.callSid);
    }

    private RecordingStatusView status(CallLog call, Optional<URI> liveSource) {
        Instant now = Instant.now();
        DownloadStatus status = call.downloadStatus;
        boolean ready = status == DownloadStatus.READY;
        return new RecordingStatusView(
                call.callSid,
                status.wire(),
                retryAfter(call, now).map(Duration::toSeconds).orElse(null),
                call.failCount,
                call.error,
                ready ? call.sizeBytes : null,
                ready ? call.contentType : null,
                new RecordingStatusView.Progress(call.progressBytes, call.progressTotal),
                ready ? streamUrl(call) : null,
                liveSource.isPresent() ? streamUrl(call) : null,
                controls.of(call.businessId).map(BusinessControls.Control::paused).orElse(false),
                status == DownloadStatus.QUEUED ? call.nextRetryAt : null);
    }

    /** The signed stream URL of the recording: the same for a ready recording and one still downloading. */
    private String streamUrl(CallLog call) {
        return "/api/recordings/" + call.callSid + "/stream?token=" + signer.sign(call.businessId, call.callSid, call.recordingSid);
    }

    /**
     * What a Play of a playable recording gets, decided from the call as the request read it. The call is
     * read again only after this Play changed it (the recording marked missing, a download queued), or
     * found it changed under it (a refused enqueue): the answer is the state the change left.
     * {@code relay}: the bytes of a recording still downloading may answer it.
     */
    public PlayDecision stream(CallLog call, boolean explicit, boolean relay) {
        if (explicit && call.downloadStatus.inProgress()) {
            promote(call);
        }
        RecordingRules.Play play = decide(call, explicit);
        if (play == RecordingRules.Play.SERVE) {
            Optional<StoredRecording> stored = stored(call);
            if (stored.isPresent()) {
                return serve(call, stored.get());
            }
            Log.warnf("recording of call %s is marked ready but it is gone from the store; downloading it again",
                    call.callSid);
            storedRecordings.fileMissing(call.id);
            call = findCall(call.businessId, call.callSid).orElse(call);
            play = decide(call, explicit);
        }
        if (play == RecordingRules.Play.GONE) {
            return new PlayDecision.Gone(status(call));
        }
        if (play == RecordingRules.Play.BACKING_OFF) {
            return new PlayDecision.BackingOff(status(call), retryAfter(call, Instant.now()).orElseThrow());
        }
        boolean enqueued = false;
        if (play == RecordingRules.Play.ENQUEUE) {
            enqueued = enqueue(call);
            call = findCall(call.businessId, call.callSid).orElse(call);
        } else if (explicit && play == RecordingRules.Play.WAIT) {
            Log.debugf("explicit request for call %s inside the enqueue cooldown: nothing enqueued", call.callSid);
            metrics.duplicateBlocked(PlayMetrics.Guard.COOLDOWN);
        }
        if (call.downloadStatus == DownloadStatus.READY) {
            Optional<StoredRecording> stored = stored(call);
            if (stored.isPresent()) {
                return serve(call, stored.get());
            }
        }
        Optional<URI> liveSource = liveSource(call);
        RecordingStatusView view = status(call, liveSource);
        Duration retryAfter = retryAfter(call, Instant.now()).orElse(DEFAULT_RETRY_AFTER);
        if (call.downloadStatus.inProgress()) {
            cache.putPending(call.businessId, call.callSid, view, retryAfter);
        }
        if (relay && liveSource.isPresent()) {
            return new PlayDecision.Relay(liveSource.get());
        }
        return enqueued ? new PlayDecision.Enqueued(view, retryAfter) : new PlayDecision.Waiting(view, retryAfter);
    }

    private static PlayDecision.Serve serve(CallLog call, StoredRecording stored) {
        return new PlayDecision.Serve(stored, call.businessId, call.callSid, Optional.of(call));
    }

    /** A person waits for a recording whose prefetch has not started: its run moves to the interactive lane. */
    private void promote(CallLog call) {
        playQueue.promote(call.businessId, call.callSid).ifPresent(runId -> {
            queue.enqueue(new DownloadJob(runId, call.businessId, call.callSid, Lane.INTERACTIVE));
            metrics.promoted();
            Log.debugf("run %d of call %s promoted from the background lane", runId, call.callSid);
        });
    }

    private RecordingRules.Play decide(CallLog call, boolean explicit) {
        return RecordingRules.onPlay(new RecordingRules.RecordingState(call.downloadStatus, isTerminal(call),
                call.nextRetryAt, call.lastEnqueueAt), explicit, Instant.now(), retry.cooldown());
    }

    private boolean enqueue(CallLog call) {
        return enqueue(call, runId -> playQueue.enqueue(runId, call.businessId, call.callSid) == PlayQueue.Enqueued.ENQUEUED);
    }

    /**
     * An operator's retry (contract of the operations API): a failed recording gets a new run queued and
     * pushed as a Play's is; a queued one waiting for its retry has its delayed job made due now (the
     * same member in the delayed set, its score replaced).
     */
    public PlayQueue.RetryNow retryNow(CallLog call) {
        PlayQueue.RetryNow[] outcome = {new PlayQueue.NotRetryable()};
        enqueue(call, runId -> (outcome[0] = playQueue.retryNow(runId, call.businessId, call.callSid))
                instanceof PlayQueue.NewCycle);
        if (outcome[0] instanceof PlayQueue.RetryDue due) {
            queue.schedule(new DownloadJob(due.runId(), call.businessId, call.callSid), Duration.ZERO);
        }
        cache.invalidate(RecordingEvents.Event.key(call.businessId, call.callSid));
        return outcome[0];
    }

    /**
     * Reserves a run id and takes the recording's dedup key for it, then lets {@code queueRun} queue the
     * run under the lifecycle's guards; pushes the job when it did, and releases the key when it did not.
     * True when the run was queued.
     */
    private boolean enqueue(CallLog call, LongPredicate queueRun) {
        return enqueue(call, queueRun, Lane.INTERACTIVE);
    }

    private boolean enqueue(CallLog call, LongPredicate queueRun, Lane lane) {
        long businessId = call.businessId;
        String callSid = call.callSid;
        long runId = playQueue.reserveRunId();
        if (!queue.claimDedupKey(businessId, callSid, runId, dedupTtl)) {
            Optional<JobQueue.DedupKey> held = queue.dedupKey(businessId, callSid);
            if (held.isEmpty() || ownerIsLive(held.get())) {
                Log.debugf("duplicate enqueue blocked for call %s (dedup key held)", callSid);
                duplicateBlocked(lane, PlayMetrics.Guard.DEDUP_KEY);
                return false;
            }
            Log.debugf("dedup key of call %s points at finished run %d; replacing it", callSid, held.get().runId());
            queue.releaseDedupKey(businessId, callSid, held.get().runId());
            if (!queue.claimDedupKey(businessId, callSid, runId, dedupTtl)) {
                duplicateBlocked(lane, PlayMetrics.Guard.DEDUP_KEY);
                return false;
            }
        }
        if (!queueRun.test(runId)) {
            Log.debugf("no new run for call %s (an active run exists, or it is ready)", callSid);
            duplicateBlocked(lane, PlayMetrics.Guard.UNIQUE_INDEX);
            queue.releaseDedupKey(businessId, callSid, runId);
            return false;
        }
        metrics.enqueued(lane);
        try {
            queue.enqueue(new DownloadJob(runId, businessId, callSid, lane));
            Log.debugf("enqueued run %d for call %s (%s)", runId, callSid, lane.wire());
        } catch (RuntimeException e) {
            Log.warnf("run %d of call %s is queued in PostgreSQL but could not be pushed to Redis (%s); "
                    + "the worker's next sweep will push it", runId, callSid, e.getMessage());
            try {
                recovery.pushFailed(runId);
            } catch (RuntimeException unrecorded) {
                Log.debugf("run %d: the failed push is not recorded either (%s); the orphan sweep will find it",
                        runId, unrecorded.getMessage());
            }
        }
        return true;
    }

    /** Only a Play is counted as a duplicate: a prefetch finding a download on its way is not one. */
    private void duplicateBlocked(Lane lane, PlayMetrics.Guard guard) {
        if (lane == Lane.INTERACTIVE) {
            metrics.duplicateBlocked(guard);
        }
    }

    /**
     * A completed recording of a business whose prefetch policy wants it (a call of the policy's last
     * hours, under its daily cap, not stored or on its way yet): one download in the background lane.
     */
    public boolean prefetch(long businessId, String callSid) {
        Optional<BusinessControls.Prefetch> policy = controls.prefetch(businessId);
        if (policy.isEmpty()) {
            return false;
        }
        Optional<CallLog> found = findCall(businessId, callSid);
        if (found.isEmpty() || !found.get().hasPlayableRecording() || found.get().downloadStatus != DownloadStatus.MISSING) {
            return false;
        }
        CallLog call = found.get();
        Instant now = Instant.now();
        Instant started = call.startedAt != null ? call.startedAt : now;
        if (started.isBefore(now.minus(Duration.ofHours(policy.get().hours())))) {
            Log.debugf("call %s started before business %d's prefetch window; not prefetched", callSid, businessId);
            return false;
        }
        Integer cap = policy.get().dailyMaxCount();
        if (cap != null && playQueue.backgroundRunsToday(businessId) >= cap) {
            Log.debugf("business %d reached its daily prefetch cap of %d; call %s not prefetched", businessId, cap, callSid);
            return false;
        }
        enqueue(call, runId -> playQueue.enqueue(runId, businessId, callSid, Lane.BACKGROUND)
                == PlayQueue.Enqueued.ENQUEUED, Lane.BACKGROUND);
        return true;
    }

    /** A dedup key still guards its recording while its run is active, or being inserted. */
    private boolean ownerIsLive(JobQueue.DedupKey key) {
        return playQueue.runStatus(key.runId()).map(RunStatus::isActive)
                .orElseGet(() -> key.timeToLive().compareTo(dedupTtl.minus(DEDUP_INSERT_GRACE)) > 0);
    }

    /**
     * A ready recording that its object store lost (found by a ranged read after {@link #stream} served
     * it) becomes missing, and is downloaded again on an explicit Play, like a file gone from the disk.
     */
    public PlayDecision objectMissing(CallLog call, boolean explicit, boolean relay) {
        cache.invalidate(RecordingEvents.Event.key(call.businessId, call.callSid));
        Log.warnf("recording of call %s is marked ready but its object is gone from the store; downloading it again",
                call.callSid);
        storedRecordings.fileMissing(call.id);
        return stream(findCall(call.businessId, call.callSid).orElse(call), explicit, relay);
    }

    /**
     * The stored recording of a ready call, when it is there: a local file, or an object of the store
     * (one HEAD; the cache then answers the next requests for a few seconds). Remembered by the cache.
     *
     * @throws StorageUnavailable the store cannot be asked now
     */
    private Optional<StoredRecording> stored(CallLog call) {
        Optional<StoredRecording.Bytes> bytes = storage.localPath(call.storageKey).map(StoredRecording.LocalFile::new);
        if (bytes.isEmpty() && call.storageKey != null) {
            try {
                bytes = storage.size(call.storageKey).filter(size -> size.equals(call.sizeBytes))
                        .map(size -> new StoredRecording.StoredObject(storage, call.storageKey));
            } catch (IOException e) {
                throw new StorageUnavailable(e);
            }
        }
        Optional<StoredRecording> stored = bytes.map(found -> toStored(call, found));
        stored.ifPresent(file -> cache.putReady(call.businessId, call.callSid, call.recordingSid, file));
        return stored;
    }

    private static StoredRecording toStored(CallLog call, StoredRecording.Bytes bytes) {
        Instant modified = call.readyAt != null ? call.readyAt : Instant.EPOCH;
        String etag = "\"" + call.recordingSid + "-" + call.sizeBytes + "-" + modified.toEpochMilli() + "\"";
        String extension = call.storageKey.substring(call.storageKey.lastIndexOf('.') + 1);
        return new StoredRecording(bytes, call.sizeBytes, call.contentType, modified, etag,
                call.recordingSid + "." + extension);
    }

    private static boolean isTerminal(CallLog call) {
        return FailureReason.PROVIDER_NOT_FOUND.code().equals(call.error);
    }

    /** Seconds a client should wait: none when ready or terminal, the backoff when set, else a default. */
    private static Optional<Duration> retryAfter(CallLog call, Instant now) {
        if (call.downloadStatus == DownloadStatus.READY
                || (call.downloadStatus == DownloadStatus.FAILED && isTerminal(call))) {
            return Optional.empty();
        }
        if (call.nextRetryAt != null && call.nextRetryAt.isAfter(now)) {
            long millis = Duration.between(now, call.nextRetryAt).toMillis();
            return Optional.of(Duration.ofSeconds(Math.max(1, (millis + 999) / 1000)));
        }
        if (call.downloadStatus == DownloadStatus.FAILED) {
            return Optional.of(Duration.ZERO);
        }
        return Optional.of(DEFAULT_RETRY_AFTER);
    }
}
