package playback.api.service;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** A ready recording file and the validators HTTP needs to serve it. */
public record StoredRecording(Path path, long size, String contentType, Instant lastModified, String etag,
                              String fileName, String lastModifiedHttp) {

    public StoredRecording(Path path, long size, String contentType, Instant lastModified, String etag,
                           String fileName) {
        this(path, size, contentType, lastModified.truncatedTo(ChronoUnit.SECONDS), etag, fileName,
                DateTimeFormatter.RFC_1123_DATE_TIME.format(lastModified.atOffset(ZoneOffset.UTC)));
    }
}
