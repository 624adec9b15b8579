package playback.api.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The bytes of an answer that are read with blocking I/O (an object store's ranged reads, the parts of
 * a multipart answer): literal bytes and streams, one after the other, written by
 * {@link RecordingBodyWriter} without holding a thread while the client is slow.
 */
record RecordingBody(List<Segment> segments) {

    long length() {
        return segments.stream().mapToLong(Segment::length).sum();
    }

    /** Opens a stream of exactly the segment's length, on a worker thread, when its turn comes. */
    interface Opener {
        InputStream open() throws IOException;
    }

    /** Literal bytes (a part's headers), or {@code length} bytes from a stream. */
    record Segment(byte[] literal, Opener opener, long length) {

        static Segment literal(byte[] bytes) {
            return new Segment(bytes, null, bytes.length);
        }

        static Segment stream(Opener opener, long length) {
            return new Segment(null, opener, length);
        }
    }
}
