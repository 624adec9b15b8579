package playback.queue;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordingEventsTest {

    @Test
    void channelIsNamedAfterTheRedisDatabase() {
        assertEquals(RedisKeys.eventsChannel("3"), RecordingEvents.channelFor("redis://127.0.0.1:6379/3"));
        assertEquals(RedisKeys.eventsChannel("0"), RecordingEvents.channelFor("redis://127.0.0.1:6379"));
        assertEquals(RedisKeys.eventsChannel("0"), RecordingEvents.channelFor("redis://127.0.0.1:6379/"));
        assertEquals(RedisKeys.eventsChannel("1"), RecordingEvents.channelFor("redis://a:6379/1, redis://b:6379/1"));
    }

    @Test
    void eventsRoundTripAndKnowWhenSettled() {
        RecordingEvents.Event ready = new RecordingEvents.Event(7, "CA0123456789abcdef0123456789abcdef", "ready");
        assertEquals(ready, RecordingEvents.Event.decode(ready.encode()));
        assertEquals("7:CA0123456789abcdef0123456789abcdef", ready.recording());
        assertTrue(ready.settled());
        assertFalse(new RecordingEvents.Event(7, "CA", RecordingEvents.CHANGED).settled());
    }

    @Test
    void eventsCarryTheTraceContextOfTheDownloadWhenThereIsOne() {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        RecordingEvents.Event traced = new RecordingEvents.Event(7, "CA0123456789abcdef0123456789abcdef", "ready",
                traceparent);
        RecordingEvents.Event decoded = RecordingEvents.Event.decode(traced.encode());
        assertEquals(traceparent, decoded.traceparent());
        assertEquals("ready", decoded.status());
        assertTrue(decoded.settled());
        assertEquals(null, RecordingEvents.Event.decode("7:CA0123456789abcdef0123456789abcdef:ready").traceparent());
    }
}
