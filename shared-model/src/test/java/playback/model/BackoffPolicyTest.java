package playback.model;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffPolicyTest {

    /** The policy both services run with when playback.retry.backoff is not set (durations as Quarkus reads them). */
    private static BackoffPolicy configuredDefault() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(RetryConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()).build();
        return config.getConfigMapping(RetryConfig.class).policy();
    }

    @Test
    void defaultWaitsFiveTenThirtyNinetySeconds() {
        BackoffPolicy policy = configuredDefault();
        assertEquals(Duration.ofSeconds(5), policy.delayAfter(1));
        assertEquals(Duration.ofSeconds(10), policy.delayAfter(2));
        assertEquals(Duration.ofSeconds(30), policy.delayAfter(3));
        assertEquals(Duration.ofSeconds(90), policy.delayAfter(4));
        assertEquals(Duration.ofSeconds(90), policy.delayAfter(5), "the last step repeats");
    }

    @Test
    void defaultMakesFiveAttemptsThenFails() {
        BackoffPolicy policy = configuredDefault();
        assertEquals(5, policy.maxAttempts());
        assertFalse(policy.exhausted(4));
        assertTrue(policy.exhausted(5));
    }

    @Test
    void theLastStepRepeatsAndCountsFromOne() {
        BackoffPolicy policy = new BackoffPolicy(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        assertEquals(Duration.ofSeconds(1), policy.delayAfter(0));
        assertEquals(Duration.ofSeconds(2), policy.delayAfter(7));
        assertEquals(3, policy.maxAttempts());
    }

    @Test
    void needsAStep() {
        assertThrows(IllegalArgumentException.class, () -> new BackoffPolicy(List.of()));
    }
}
