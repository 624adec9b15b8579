package playback.api.service;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import playback.model.CallLog;
import playback.model.DownloadStatus;

import java.time.Duration;

/**
 * A recording's status, at once or long-polled: answered as soon as the recording is ready or failed
 * (with {@code untilLive}, also as soon as it can be played while it downloads), else when the wait is
 * over, with the status of that moment. While it waits it holds no thread and no connection.
 */
@ApplicationScoped
public class StatusPoll {

    private final RecordingService recordings;
    private final RecordingWaiters waiters;

    public StatusPoll(RecordingService recordings, RecordingWaiters waiters) {
        this.recordings = recordings;
        this.waiters = waiters;
    }

    /**
     * The status of a playable recording of the business, after waiting up to {@code wait} for it to settle.
     * A long-poll registers its waiter before it reads the call, so that no event falls between the read
     * and the wait, and reads it once for both.
     *
     * @throws RecordingRefused the business has no such call, or it has no completed recording
     */
    public Uni<RecordingStatusView> status(long businessId, String callSid, Duration wait, boolean untilLive) {
        if (wait.isZero()) {
            return Uni.createFrom().item(recordings.status(recordings.playableCall(businessId, callSid)));
        }
        long deadlineNanos = System.nanoTime() + wait.toNanos();
        RecordingWaiters.Waiter waiter = waiters.register(businessId, callSid, untilLive);
        CallLog call;
        try {
            call = recordings.playableCall(businessId, callSid);
        } catch (RecordingRefused e) {
            waiter.cancel();
            throw e;
        }
        return await(waiter, businessId, callSid, call, untilLive, deadlineNanos);
    }

    /**
     * Waits until the recording settles (or, {@code untilLive}, has a live stream URL) or the deadline
     * passes; a change that brought neither makes it wait again for the time left.
     */
    private Uni<RecordingStatusView> await(RecordingWaiters.Waiter waiter, long businessId, String callSid,
                                           CallLog current, boolean untilLive, long deadlineNanos) {
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
                        ? awaitAgain(businessId, callSid, current, deadlineNanos)
                        : Uni.createFrom().item(recordings.status(recordings.findCall(businessId, callSid).orElse(current))));
    }

    /** The recording changed without settling: it is read again, under a new waiter, for the time left. */
    private Uni<RecordingStatusView> awaitAgain(long businessId, String callSid, CallLog last, long deadlineNanos) {
        RecordingWaiters.Waiter waiter = waiters.register(businessId, callSid, true);
        CallLog current = recordings.findCall(businessId, callSid).orElse(last);
        return await(waiter, businessId, callSid, current, true, deadlineNanos);
    }

    private static boolean isSettled(CallLog call) {
        return call.downloadStatus == DownloadStatus.READY || call.downloadStatus == DownloadStatus.FAILED;
    }
}
