package playback.model;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallTimeTest {

    @Test
    void yearsOneToNineThousandNineHundredNinetyNine() {
        assertTrue(CallTime.isStorable(Instant.parse("2026-11-20T10:00:00Z")));
        assertTrue(CallTime.isStorable(CallTime.EARLIEST));
        assertTrue(CallTime.isStorable(CallTime.LATEST));
        assertFalse(CallTime.isStorable(CallTime.EARLIEST.minusNanos(1000)));
        assertFalse(CallTime.isStorable(CallTime.LATEST.plusNanos(1000)));
        assertFalse(CallTime.isStorable(Instant.parse("-5000-01-01T00:00:00Z")));
        assertFalse(CallTime.isStorable(Instant.parse("+294277-01-01T00:00:00Z")));
        assertFalse(CallTime.isStorable(null));
    }
}
