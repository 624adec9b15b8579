package playback.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Real, playable audio of any length, made on the fly from one short spoken clip.
 *
 * <p>MP3: the clip is CBR 128 kbps, 44.1 kHz MPEG-1 Layer III, encoded without bit reservoir and without
 * tags, so each frame decodes on its own and the clip ends on a frame boundary: repeating its bytes
 * repeats whole frames, and the result is a valid stream of any duration (the padding silence hides
 * the seams). WAV: a RIFF header then the clip's 8 kHz 16-bit mono PCM samples, repeated.
 *
 * <p>Bodies are {@link InputStream}s that generate bytes while they are read, so a multi-megabyte
 * recording costs no memory beyond the clip itself.
 */
final class Audio {

    static final int MP3_SAMPLE_RATE = 44_100;
    static final int MP3_SAMPLES_PER_FRAME = 1152;
    static final int WAV_SAMPLE_RATE = 8_000;
    static final int WAV_HEADER_BYTES = 44;
    private static final int WAV_BYTES_PER_SECOND = WAV_SAMPLE_RATE * 2;

    /** MPEG-1 Layer III bitrates in kbps by the header's 4-bit index (0 = free format, 15 = invalid). */
    private static final int[] BITRATES = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0};
    private static final int[] SAMPLE_RATES = {44_100, 48_000, 32_000, 0};

    /** A body to send: its Content-Type, exact length and the bytes, made while read. */
    record Body(String contentType, long length, InputStream stream) {
    }

    private final byte[] mp3Clip;
    /** frameEnds[i] = bytes of the clip's first i frames; frameEnds[frames] = the clip's length. */
    private final long[] frameEnds;
    private final byte[] pcmClip;

    Audio(byte[] mp3Clip, byte[] pcmClip) {
        this.mp3Clip = mp3Clip;
        this.frameEnds = frameEnds(mp3Clip);
        this.pcmClip = pcmClip;
        if (pcmClip.length == 0 || pcmClip.length % 2 != 0) {
            throw new IllegalStateException("the PCM clip must hold whole 16-bit samples");
        }
    }

    /** The clip committed in src/main/resources/audio. */
    static Audio load() {
        return new Audio(resource("/audio/clip.mp3"), resource("/audio/clip.pcm"));
    }

    /** "mp3" or "wav", of the duration, or of exactly sizeBytes when that is given. */
    Body body(String extension, int durationSeconds, Long sizeBytes) {
        return switch (extension) {
            case "mp3" -> mp3(sizeBytes != null ? sizeBytes : mp3Length(durationSeconds));
            case "wav" -> wav(sizeBytes != null ? sizeBytes : wavLength(durationSeconds));
            default -> throw new IllegalArgumentException("no audio format " + extension);
        };
    }

    Body mp3(long length) {
        return new Body("audio/mpeg", length, new Repeating(new byte[0], mp3Clip, length));
    }

    Body wav(long length) {
        return new Body("audio/wav", length, new Repeating(wavHeader(length - WAV_HEADER_BYTES), pcmClip, length));
    }

    /** Bytes of the whole frames that cover the duration (a frame is 1152 samples, about 26 ms). */
    long mp3Length(int durationSeconds) {
        long frames = ((long) durationSeconds * MP3_SAMPLE_RATE + MP3_SAMPLES_PER_FRAME - 1) / MP3_SAMPLES_PER_FRAME;
        int clipFrames = frameEnds.length - 1;
        return frames / clipFrames * mp3Clip.length + frameEnds[(int) (frames % clipFrames)];
    }

    long wavLength(int durationSeconds) {
        return WAV_HEADER_BYTES + (long) durationSeconds * WAV_BYTES_PER_SECOND;
    }

    int clipFrames() {
        return frameEnds.length - 1;
    }

    /** Walks the clip frame by frame; anything but back-to-back 44.1 kHz MPEG-1 Layer III frames is a bad asset. */
    private static long[] frameEnds(byte[] clip) {
        long[] ends = new long[clip.length / 96 + 2];
        int frames = 0;
        int offset = 0;
        while (offset < clip.length) {
            if (offset + 4 > clip.length) {
                throw new IllegalStateException("MP3 clip ends inside a frame header at " + offset);
            }
            int b1 = clip[offset + 1] & 0xFF;
            int b2 = clip[offset + 2] & 0xFF;
            // 11 sync bits, then version bits 11 (MPEG-1) and layer bits 01 (Layer III)
            if ((clip[offset] & 0xFF) != 0xFF || (b1 & 0xFE) != 0xFA) {
                throw new IllegalStateException("no MPEG-1 Layer III frame sync at " + offset);
            }
            int bitrate = BITRATES[b2 >>> 4] * 1000;
            int sampleRate = SAMPLE_RATES[(b2 >>> 2) & 0x3];
            if (bitrate == 0 || sampleRate != MP3_SAMPLE_RATE) {
                throw new IllegalStateException("MP3 clip frame at " + offset + " is not 44.1 kHz fixed bitrate");
            }
            int padding = (b2 >>> 1) & 0x1;
            offset += 144 * bitrate / sampleRate + padding;
            ends[++frames] = offset;
        }
        if (offset != clip.length || frames == 0) {
            throw new IllegalStateException("MP3 clip does not end on a frame boundary");
        }
        return java.util.Arrays.copyOf(ends, frames + 1);
    }

    /** The canonical 44-byte header of 8 kHz 16-bit mono PCM. */
    private static byte[] wavHeader(long dataLength) {
        long data = Math.max(0, Math.min(dataLength, 0xFFFF_FFFFL - 36));
        ByteBuffer header = ByteBuffer.allocate(WAV_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt((int) (36 + data))
                .put("WAVE".getBytes(StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16)
                .putShort((short) 1)                      // PCM
                .putShort((short) 1)                      // mono
                .putInt(WAV_SAMPLE_RATE)
                .putInt(WAV_BYTES_PER_SECOND)             // byte rate
                .putShort((short) 2)                      // block align
                .putShort((short) 16)                     // bits per sample
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt((int) data);
        return header.array();
    }

    private static byte[] resource(String name) {
        try (InputStream in = Audio.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A header, then the loop repeated, cut at exactly length bytes. */
    private static final class Repeating extends InputStream {
        private final byte[] header;
        private final byte[] loop;
        private final long length;
        private long position;

        Repeating(byte[] header, byte[] loop, long length) {
            this.header = header;
            this.loop = loop;
            this.length = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] buffer, int offset, int wanted) {
            if (position >= length) {
                return -1;
            }
            int total = (int) Math.min(wanted, length - position);
            int done = 0;
            while (done < total) {
                byte[] source;
                int from;
                if (position < header.length) {
                    source = header;
                    from = (int) position;
                } else {
                    source = loop;
                    from = (int) ((position - header.length) % loop.length);
                }
                int n = Math.min(total - done, source.length - from);
                System.arraycopy(source, from, buffer, offset + done, n);
                done += n;
                position += n;
            }
            return total;
        }
    }
}
