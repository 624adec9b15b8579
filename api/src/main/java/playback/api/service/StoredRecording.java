package playback.api.service;

import java.nio.file.Path;
import java.time.Instant;

/** A ready recording file and the validators HTTP needs to serve it. */
public record StoredRecording(Path path, long size, String contentType, Instant lastModified, String etag,
                              String fileName) {
}
