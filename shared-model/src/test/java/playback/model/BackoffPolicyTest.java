package playback.model;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffPolicyTest {

    @Test
    void defaultWaitsFiveTenThirtyNinetySeconds() {
        BackoffPolicy policy = BackoffPolicy.DEFAULT;
        assertEquals(Duration.ofSeconds(5), policy.delayAfter(1));
        assertEquals(Duration.ofSeconds(10), policy.delayAfter(2));
        assertEquals(Duration.ofSeconds(30), policy.delayAfter(3));
        assertEquals(Duration.ofSeconds(90), policy.delayAfter(4));
        assertEquals(Duration.ofSeconds(90), policy.delayAfter(5), "the last step repeats");
    }

    @Test
    void fiveAttemptsThenFailed() {
        BackoffPolicy policy = BackoffPolicy.DEFAULT;
        assertEquals(5, policy.maxAttempts());
        assertFalse(policy.exhausted(4));
        assertTrue(policy.exhausted(5));
    }

    @Test
    void needsAStep() {
        assertThrows(IllegalArgumentException.class, () -> new BackoffPolicy(List.of()));
    }
}
