package playback.api.service;

import playback.storage.RecordingStorage;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** A ready recording, where its bytes are, and the validators HTTP needs to serve it. */
public record StoredRecording(Bytes bytes, long size, String contentType, Instant lastModified, String etag,
                              String fileName, String lastModifiedHttp) {

    public StoredRecording(Bytes bytes, long size, String contentType, Instant lastModified, String etag,
                           String fileName) {
        this(bytes, size, contentType, lastModified.truncatedTo(ChronoUnit.SECONDS), etag, fileName,
                DateTimeFormatter.RFC_1123_DATE_TIME.format(lastModified.atOffset(ZoneOffset.UTC)));
    }

    /** Where the bytes of a stored recording are read from. */
    public sealed interface Bytes {
    }

    /** A file on this host: sent by the kernel from the event loop, no thread held for a slow client. */
    public record LocalFile(Path path) implements Bytes {
    }

    /** An object in a remote store: each range is a ranged read of the store, streamed on a worker thread. */
    public record StoredObject(RecordingStorage storage, String key) implements Bytes {
    }
}
