package playback.lifecycle;

import playback.model.BackoffPolicy;
import playback.model.DownloadStatus;
import playback.model.FailureReason;
import playback.model.RunStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The recording state machine's decisions, as pure functions: no database, no Redis, no clock of
 * their own. The other classes of this package apply them with SQL whose guards (row lock, partial
 * unique index, fence compare-and-set) make them hold across any number of api and worker replicas;
 * the guards' "from" statuses come from these tables.
 *
 * <pre>
 * recording: missing -> queued -> downloading -> ready | failed      (runs drive it)
 *            ready -> missing                                        (file gone, or evicted)
 * run:       queued -> running -> succeeded | failed | superseded
 * </pre>
 */
public final class RecordingRules {

    private RecordingRules() {
    }

    /** What happens to a call's recording. */
    public enum RecordingChange {
        /** The provider reports a recording SID the call did not have: the download starts over. */
        NEW_RECORDING,
        /** An explicit Play for a recording that is not stored: one run is queued. */
        ENQUEUE,
        /** A worker claims the run (or takes over one whose holder stopped renewing). */
        CLAIM,
        /** The claimed run reports bytes received. */
        PROGRESS,
        /** The file is stored. */
        SUCCEED,
        /** An attempt failed and the next one is queued after its backoff. */
        RETRY,
        /** An attempt failed and the cycle is over (terminal failure, or no backoff step left). */
        GIVE_UP,
        /** The worker shuts down and hands its run back to the queue. */
        RELEASE,
        /** The recording is marked ready but its file is gone. */
        FILE_MISSING,
        /** Cache retention drops a ready recording nobody played lately: its file is deleted, a Play fetches it again. */
        EVICT,
        /**
         * An operator retries now: a failed recording gets a new cycle at once (whatever its error or
         * backoff window); a queued one waiting for its retry has that retry made due.
         */
        RETRY_NOW,
        /** The demo starts over (development only). */
        RESET
    }

    /** What happens to one download attempt. */
    public enum RunChange {
        /** A worker takes a queued run that is due. */
        CLAIM,
        /** A worker takes a running run whose holder's lease ran out. */
        TAKE_OVER,
        /** The holder extends its lease. */
        RENEW,
        SUCCEED,
        FAIL,
        /** The holder shuts down; the run is queued again. */
        RELEASE,
        /** A run whose holder vanished long ago is failed as worker_lost. */
        SWEEP,
        /** The provider reported a new recording for the call: this attempt downloads the old one. */
        SUPERSEDE
    }

    /** The recording's status after a change, or empty when the change cannot happen in that status. */
    public static Optional<DownloadStatus> next(DownloadStatus from, RecordingChange change) {
        DownloadStatus to = switch (change) {
            case NEW_RECORDING, RESET -> DownloadStatus.MISSING;
            // Any status but ready: the partial unique index refuses a second active run, so a queued or
            // downloading recording is only queued again when its run was lost.
            case ENQUEUE -> from != DownloadStatus.READY ? DownloadStatus.QUEUED : null;
            case CLAIM -> from.inProgress() ? DownloadStatus.DOWNLOADING : null;
            case PROGRESS -> from == DownloadStatus.DOWNLOADING ? DownloadStatus.DOWNLOADING : null;
            case SUCCEED -> from == DownloadStatus.DOWNLOADING ? DownloadStatus.READY : null;
            case RETRY, RELEASE -> from == DownloadStatus.DOWNLOADING ? DownloadStatus.QUEUED : null;
            case GIVE_UP -> from == DownloadStatus.DOWNLOADING ? DownloadStatus.FAILED : null;
            case FILE_MISSING, EVICT -> from == DownloadStatus.READY ? DownloadStatus.MISSING : null;
            // Queued only while a retry is pending (not yet due): the statement's guard checks that part.
            case RETRY_NOW -> from == DownloadStatus.FAILED || from == DownloadStatus.QUEUED ? DownloadStatus.QUEUED : null;
        };
        return Optional.ofNullable(to);
    }

    /** The run's status after a change, or empty when the change cannot happen in that status. */
    public static Optional<RunStatus> next(RunStatus from, RunChange change) {
        RunStatus to = switch (change) {
            case CLAIM -> from == RunStatus.QUEUED ? RunStatus.RUNNING : null;
            case TAKE_OVER, RENEW -> from == RunStatus.RUNNING ? RunStatus.RUNNING : null;
            case SUCCEED -> from == RunStatus.RUNNING ? RunStatus.SUCCEEDED : null;
            case FAIL, SWEEP -> from == RunStatus.RUNNING ? RunStatus.FAILED : null;
            case RELEASE -> from == RunStatus.RUNNING ? RunStatus.QUEUED : null;
            case SUPERSEDE -> from.isActive() ? RunStatus.SUPERSEDED : null;
        };
        return Optional.ofNullable(to);
    }

    /** The statuses a run change may start from: the guard of the statement that applies it. */
    public static Set<RunStatus> from(RunChange change) {
        return sources(RunStatus.class, status -> next(status, change));
    }

    /** The statuses a recording change may start from. */
    public static Set<DownloadStatus> from(RecordingChange change) {
        return sources(DownloadStatus.class, status -> next(status, change));
    }

    /** The target of a change that can happen: for the statements that apply it. */
    public static RunStatus target(RunChange change) {
        return next(from(change).iterator().next(), change).orElseThrow();
    }

    /** The target of a recording change that can happen. */
    public static DownloadStatus target(RecordingChange change) {
        return next(from(change).iterator().next(), change).orElseThrow();
    }

    private static <S extends Enum<S>> Set<S> sources(Class<S> type, Function<S, Optional<S>> next) {
        EnumSet<S> from = EnumSet.noneOf(type);
        for (S status : type.getEnumConstants()) {
            if (next.apply(status).isPresent()) {
                from.add(status);
            }
        }
        return from;
    }

    /** What a Play (or a status check) of a playable recording gets. */
    public enum Play {
        /** The file is stored (when it turns out not to be, the recording becomes missing and is decided again). */
        SERVE,
        /** The provider no longer has the recording: never retried. */
        GONE,
        /** The last cycle failed and its backoff window is still open: 503 with Retry-After. */
        BACKING_OFF,
        /** Queue one download (the lifecycle's guards make it at most one). */
        ENQUEUE,
        /** A download is on its way, or the request was not explicit: 202 with the status. */
        WAIT
    }

    /** Where a recording stands, as the Play decision needs it. */
    public record RecordingState(DownloadStatus status, boolean terminal, Instant nextRetryAt, Instant lastEnqueueAt) {
    }

    /**
     * Decides a Play. Only an explicit user action enqueues, and not again within the cooldown after an
     * enqueue while that download is in progress (repeated clicks answer from the database).
     */
    public static Play onPlay(RecordingState state, boolean explicit, Instant now, Duration cooldown) {
        if (state.status() == DownloadStatus.READY) {
            return Play.SERVE;
        }
        if (state.status() == DownloadStatus.FAILED) {
            if (state.terminal()) {
                return Play.GONE;
            }
            if (state.nextRetryAt() != null && state.nextRetryAt().isAfter(now)) {
                return Play.BACKING_OFF;
            }
        }
        boolean inCooldown = state.status().inProgress() && state.lastEnqueueAt() != null
                && state.lastEnqueueAt().plus(cooldown).isAfter(now);
        return explicit && !inCooldown ? Play.ENQUEUE : Play.WAIT;
    }

    /** After a failed attempt: another attempt after a delay, or the end of the cycle. */
    public sealed interface AfterFailure {
    }

    /** The next attempt is queued, due after the delay. */
    public record Retry(Duration delay) implements AfterFailure {
    }

    /**
     * The recording is failed. Explicit requests are refused for {@code refuseFor} (the last backoff
     * step); empty when the failure is terminal and no request will ever retry it.
     */
    public record GiveUp(Optional<Duration> refuseFor) implements AfterFailure {
    }

    /**
     * Decides after the {@code attempt}-th failed attempt of a cycle: the backoff step, or the provider's
     * Retry-After when longer; the end of the cycle when the failure is terminal or no step is left.
     */
    public static AfterFailure afterFailure(int attempt, FailureReason reason, Duration retryAfter, BackoffPolicy policy) {
        Duration delay = policy.delayAfter(attempt);
        if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
            delay = retryAfter;
        }
        if (reason.terminal()) {
            return new GiveUp(Optional.empty());
        }
        if (policy.exhausted(attempt)) {
            return new GiveUp(Optional.of(delay));
        }
        return new Retry(delay);
    }

    /** What a worker does with a delivered job, from its run as PostgreSQL has it. */
    public enum Delivery {
        /** Try to claim the run (the claim's compare-and-set decides between competing deliveries). */
        CLAIM,
        /** The run is queued but not due yet: deliver it again when it is. */
        DEFER,
        /** Nothing to do: the run is unknown, finished, or held by a live worker. */
        DROP
    }

    /** Decides a delivery: {@code run} is empty when PostgreSQL has no such run. */
    public static Delivery onDelivery(Optional<RunStatus> run, boolean due, boolean leaseExpired) {
        if (run.isEmpty()) {
            return Delivery.DROP;
        }
        return switch (run.get()) {
            case QUEUED -> due ? Delivery.CLAIM : Delivery.DEFER;
            case RUNNING -> leaseExpired ? Delivery.CLAIM : Delivery.DROP;
            case SUCCEEDED, FAILED, SUPERSEDED -> Delivery.DROP;
        };
    }
}
