package playback.storage;

import jakarta.enterprise.context.ApplicationScoped;
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

    void close(@Disposes RecordingStorage storage) {
        storage.close();
    }
}
