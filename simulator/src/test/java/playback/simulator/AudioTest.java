package playback.simulator;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AudioTest {

    private final Audio audio = Audio.load();

    @Test
    void mp3LengthCoversTheDurationWithWholeFrames() throws IOException {
        long frames = (180L * 44_100 + 1151) / 1152;               // 6891 frames of 26.1 ms
        long length = audio.mp3Length(180);
        // a 128 kbps frame at 44.1 kHz is 417 or 418 bytes (with the padding byte)
        assertTrue(length >= frames * 417 && length <= frames * 418, "length " + length);
        assertEquals(length, audio.body("mp3", 180, null).length());
        assertEquals(length, drain(audio.mp3(length).stream()));
        assertEquals(0, audio.mp3Length(0));
    }

    @Test
    void everyGeneratedFrameStartsWithASyncWord() throws IOException {
        // walk the frame chain over more than two clip loops: repetition must not break it
        byte[] bytes = audio.mp3(audio.mp3Length(10)).stream().readAllBytes();
        int offset = 0;
        int frames = 0;
        while (offset < bytes.length) {
            assertEquals(0xFF, bytes[offset] & 0xFF, "sync at " + offset);
            assertEquals(0xFA, bytes[offset + 1] & 0xFE, "sync at " + offset);
            int padding = (bytes[offset + 2] >>> 1) & 1;
            offset += 144 * 128_000 / 44_100 + padding;
            frames++;
        }
        assertEquals(bytes.length, offset);
        assertEquals((10 * 44_100 + 1151) / 1152, frames);
        assertTrue(frames > 2 * audio.clipFrames());
    }

    @Test
    void wavHeaderDescribesEightKilohertzMonoPcm() throws IOException {
        byte[] bytes = audio.body("wav", 3, null).stream().readAllBytes();
        assertEquals(44 + 3 * 16_000, bytes.length);
        ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(bytes.length - 8, header.getInt(4));              // RIFF chunk size
        assertEquals(1, header.getShort(20));                          // PCM
        assertEquals(1, header.getShort(22));                          // mono
        assertEquals(8000, header.getInt(24));
        assertEquals(16, header.getShort(34));
        assertEquals(3 * 16_000, header.getInt(40));                   // data size
    }

    @Test
    void sizeBytesIsExactForBothFormats() throws IOException {
        assertEquals(1_000_001, drain(audio.body("mp3", 180, 1_000_001L).stream()));
        assertEquals(10, drain(audio.body("wav", 180, 10L).stream()));
    }

    private static long drain(InputStream in) throws IOException {
        long total = 0;
        byte[] buffer = new byte[10_000];
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
        }
        return total;
    }
}
