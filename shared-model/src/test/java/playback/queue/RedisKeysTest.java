package playback.queue;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisKeysTest {

    private static final long BUSINESS = 42;
    private static final long OTHER_BUSINESS = 43;
    private static final String CALL_SID = "CA0123456789abcdef0123456789abcdef";

    @Test
    void everyNameIsInTheOneNamespace() {
        List<String> names = List.of(RedisKeys.JOB_STREAM, RedisKeys.DELAYED_JOBS, RedisKeys.dedup(BUSINESS, CALL_SID),
                RedisKeys.slots(BUSINESS), RedisKeys.eventsChannel("0"), RedisKeys.ALL_DEDUP_PATTERN,
                RedisKeys.ALL_SLOTS_PATTERN);
        for (String name : names) {
            assertTrue(name.startsWith(RedisKeys.PREFIX), name + " starts with " + RedisKeys.PREFIX);
        }
        assertEquals(names.size(), names.stream().distinct().count(), "no two names are the same");
    }

    @Test
    void scanPatternsMatchTheirKeysAndNoOthers() {
        assertTrue(matches(RedisKeys.ALL_DEDUP_PATTERN, RedisKeys.dedup(BUSINESS, CALL_SID)));
        assertTrue(matches(RedisKeys.ALL_SLOTS_PATTERN, RedisKeys.slots(BUSINESS)));
        for (String pattern : List.of(RedisKeys.ALL_DEDUP_PATTERN, RedisKeys.ALL_SLOTS_PATTERN)) {
            assertFalse(matches(pattern, RedisKeys.JOB_STREAM), pattern + " spares the job stream");
            assertFalse(matches(pattern, RedisKeys.DELAYED_JOBS), pattern + " spares the delayed jobs");
        }
        assertFalse(matches(RedisKeys.ALL_DEDUP_PATTERN, RedisKeys.slots(BUSINESS)));
        assertFalse(matches(RedisKeys.ALL_SLOTS_PATTERN, RedisKeys.dedup(BUSINESS, CALL_SID)));
    }

    @Test
    void eachBusinessHasItsOwnKeys() {
        assertNotEquals(RedisKeys.slots(BUSINESS), RedisKeys.slots(OTHER_BUSINESS));
        assertNotEquals(RedisKeys.dedup(BUSINESS, CALL_SID), RedisKeys.dedup(OTHER_BUSINESS, CALL_SID));
    }

    /** Redis MATCH for the patterns RedisKeys uses: a literal head and one trailing '*'. */
    private static boolean matches(String pattern, String key) {
        assertEquals(pattern.indexOf('*'), pattern.length() - 1, "one trailing '*' in " + pattern);
        return key.startsWith(pattern.substring(0, pattern.length() - 1));
    }
}
