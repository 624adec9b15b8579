package playback.model;

import java.time.Duration;
import java.util.List;

/**
 * How long to wait after the n-th consecutive failed download attempt (the steps are
 * {@link RetryConfig#backoff()}). Attempts go on automatically while steps remain; after that the
 * recording is {@code failed} and the last step is the window in which an explicit request is refused
 * with 503.
 */
public record BackoffPolicy(List<Duration> steps) {

    public BackoffPolicy {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a backoff policy needs at least one step");
        }
        steps = List.copyOf(steps);
    }

    /** Attempts made in one cycle before the recording is marked failed. */
    public int maxAttempts() {
        return steps.size() + 1;
    }

    /** True when the failCount-th failure ends the cycle. */
    public boolean exhausted(int failCount) {
        return failCount >= maxAttempts();
    }

    /** The wait after the failCount-th consecutive failure (1-based); the last step repeats. */
    public Duration delayAfter(int failCount) {
        int index = Math.min(Math.max(failCount, 1), steps.size()) - 1;
        return steps.get(index);
    }
}
