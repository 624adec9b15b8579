package playback.storage;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

class FilesystemStorageTest extends RecordingStorageContract {

    @TempDir
    Path base;

    @Override
    RecordingStorage newStorage(String name) throws Exception {
        return new FilesystemStorage(base.resolve(name).toString());
    }

    /** A plain file where the key's business directory belongs: the rename into place fails, as on a full disk. */
    @Override
    void breakStorage(String name, String key) throws Exception {
        Files.write(businessDirectory(name, key), new byte[] {1});
    }

    @Override
    void repairStorage(String name, String key) throws Exception {
        Files.delete(businessDirectory(name, key));
    }

    private Path businessDirectory(String name, String key) {
        return base.resolve(name).resolve(key).getParent();
    }
}
