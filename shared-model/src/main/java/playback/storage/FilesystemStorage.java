package playback.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Recordings on a directory both services share. A file appears under its key only by an atomic rename
 * of a complete, validated temp file.
 */
public class FilesystemStorage implements RecordingStorage {

    private final Path root;
    private final Path temp;

    public FilesystemStorage(String dir) throws IOException {
        this.root = Path.of(dir).toAbsolutePath().normalize();
        this.temp = root.resolve(".tmp");
        Files.createDirectories(temp);
    }

    @Override
    public Path createTempFile() throws IOException {
        return Files.createTempFile(temp, "download-", ".part");
    }

    @Override
    public void commit(Path tempFile, String key) throws IOException {
        Path target = pathOf(key);
        Files.createDirectories(target.getParent());
        try {
            Files.move(tempFile, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("storage directory does not support atomic rename: " + root, e);
        }
    }

    @Override
    public Optional<Long> size(String key) {
        return localPath(key).map(path -> path.toFile().length());
    }

    @Override
    public Optional<Path> localPath(String key) {
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

    @Override
    public InputStream open(String key, long from, long to) throws IOException {
        return FileWindow.open(localPath(key).orElseThrow(() -> new NoSuchFileException(key)), from, to - from + 1);
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(pathOf(key));
    }

    @Override
    public void deleteAll() throws IOException {
        List<Path> stored;
        try (Stream<Path> files = Files.walk(root)) {
            stored = files.filter(path -> !path.equals(root) && !path.startsWith(temp))
                    .sorted(Comparator.reverseOrder()).toList();
        }
        for (Path path : stored) {
            Files.deleteIfExists(path);
        }
    }

    private Path pathOf(String key) {
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.startsWith(temp)) {
            throw new IllegalArgumentException("storage key outside the store: " + key);
        }
        return path;
    }
}
