package playback.storage;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

import java.io.IOException;
import java.nio.file.Path;

/** The one store of a process, chosen by {@code playback.storage.kind}. */
@ApplicationScoped
public class StorageProducer {

    @Produces
    @ApplicationScoped
    RecordingStorage storage(StorageConfig config) throws IOException {
        return switch (config.kind()) {
            case FILESYSTEM -> new FilesystemStorage(config.dir());
            case S3 -> new S3Storage(config.s3(), Path.of(config.dir(), ".tmp"));
        };
    }

    /**
     * At start, one request to the store: a wrong bucket or key shows in the log at once rather than at
     * the first download, and the first Plays do not pay for the client's first connection. A store that
     * is down does not stop the process: requests to it fail (and are retried) until it is back.
     */
    void probe(@Observes StartupEvent started, RecordingStorage storage, StorageConfig config) {
        try {
            storage.probe();
            Log.debugf("recording storage (%s) answers", config.kind());
        } catch (IOException e) {
            Log.warnf("recording storage (%s) does not answer at start: %s", config.kind(), e.getMessage());
        }
    }

    void close(@Disposes RecordingStorage storage) {
        storage.close();
    }
}
