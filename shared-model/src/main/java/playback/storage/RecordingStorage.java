package playback.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where recordings are kept once downloaded and validated: a directory both services share, or an
 * S3-compatible bucket ({@code playback.storage.kind}). A recording appears under its key only complete,
 * so a reader never sees a partial or empty one. Every failure of the store itself (a full disk, an
 * object store that is down or answers 5xx) is an {@link IOException}.
 */
public interface RecordingStorage extends AutoCloseable {

    /** The key of a recording: {@code <business>/<callSid>.<ext>}, so businesses never share one. */
    static String keyFor(long businessId, String callSid, String extension) {
        return businessId + "/" + callSid + "." + extension;
    }

    /** Asks the store whether it is there and usable (a bucket that exists, keys that work). */
    default void probe() throws IOException {
    }

    /** A local file to download into, handed to {@link #commit} once it is validated. */
    Path createTempFile() throws IOException;

    /** Stores a complete temp file under its key, replacing an older copy; readers see the old or the new one. */
    void commit(Path tempFile, String key) throws IOException;

    /** The size of the stored recording of a key; empty when there is none or it is empty. */
    Optional<Long> size(String key) throws IOException;

    /** The stored recording as a local file, for zero-copy serving; empty when the store is not local. */
    Optional<Path> localPath(String key);

    /**
     * Bytes {@code from} to {@code to} (inclusive) of a stored recording; the caller closes the stream.
     *
     * @throws java.nio.file.NoSuchFileException the store has no recording under the key
     */
    InputStream open(String key, long from, long to) throws IOException;

    /**
     * A URL a browser can fetch the recording from directly, for {@code ttl}, with the given
     * Content-Disposition; empty when the store has no such URLs (a local directory).
     */
    default Optional<URI> presignedUrl(String key, Duration ttl, Optional<String> contentDisposition) {
        return Optional.empty();
    }

    void delete(String key) throws IOException;

    /** Deletes every recording this store holds: its directory's files, or its bucket's keys under its prefix. */
    void deleteAll() throws IOException;

    @Override
    default void close() {
    }
}
