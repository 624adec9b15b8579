package playback.storage;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Recording files on a directory both services share. A file appears under its key only by an atomic
 * rename of a complete, validated temp file, so a reader never sees a partial or empty recording.
 */
@ApplicationScoped
public class RecordingStorage {

    private final Path root;
    private final Path temp;

    public RecordingStorage(Config config) throws IOException {
        this.root = Path.of(config.dir()).toAbsolutePath().normalize();
        this.temp = root.resolve(".tmp");
        Files.createDirectories(temp);
    }

    /** The key of a recording: {@code <business>/<callSid>.<ext>}. */
    public static String keyFor(long businessId, String callSid, String extension) {
        return businessId + "/" + callSid + "." + extension;
    }

    public Path createTempFile() throws IOException {
        return Files.createTempFile(temp, "download-", ".part");
    }

    /** Moves a complete temp file under its key in one step, replacing an older copy. */
    public void commit(Path tempFile, String key) throws IOException {
        Path target = pathOf(key);
        Files.createDirectories(target.getParent());
        try {
            Files.move(tempFile, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("storage directory does not support atomic rename: " + root, e);
        }
    }

    /** The stored, non-empty file of a key. */
    public Optional<Path> find(String key) {
        if (key == null) {
            return Optional.empty();
        }
        Path path = pathOf(key);
        try {
            return Files.isRegularFile(path) && Files.size(path) > 0 ? Optional.of(path) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public Path root() {
        return root;
    }

    private Path pathOf(String key) {
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.startsWith(temp)) {
            throw new IllegalArgumentException("storage key outside the store: " + key);
        }
        return path;
    }

    @ConfigMapping(prefix = "playback.storage")
    public interface Config {
        /** Directory of stored recordings, shared by the api and the worker. */
        @WithDefault("data/recordings")
        String dir();
    }
}
