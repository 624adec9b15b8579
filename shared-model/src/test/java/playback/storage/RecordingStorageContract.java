package playback.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What the services rely on from a recording store, run against each kind of store. */
abstract class RecordingStorageContract {

    static final String KEY = RecordingStorage.keyFor(7, "CA0123456789abcdef0123456789abcdef", "mp3");
    static final String OTHER_BUSINESS_KEY = RecordingStorage.keyFor(8, "CA0123456789abcdef0123456789abcdef", "mp3");
    /** Above the multipart threshold (8 MiB by default), and not a whole number of parts. */
    static final int LARGE_SIZE = 17 * 1024 * 1024 + 12_345;

    private final List<RecordingStorage> opened = new ArrayList<>();

    /** A store of its own (a directory, a key prefix) on the backend every store of this test shares. */
    abstract RecordingStorage newStorage(String name) throws Exception;

    /** Makes commits of the key to the named store fail as a store that is down or full does. */
    abstract void breakStorage(String name, String key) throws Exception;

    abstract void repairStorage(String name, String key) throws Exception;

    RecordingStorage storage(String name) throws Exception {
        RecordingStorage storage = newStorage(name);
        opened.add(storage);
        return storage;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(RecordingStorage::close);
    }

    @Test
    void aCommittedRecordingHasItsSizeAndBytes() throws Exception {
        RecordingStorage storage = storage("a");
        byte[] recording = bytes(10_000, 1);
        commit(storage, KEY, recording);
        assertEquals(Optional.of(10_000L), storage.size(KEY));
        assertArrayEquals(recording, read(storage, KEY, 0, recording.length - 1));
    }

    @Test
    void aRangeReadReturnsExactlyThoseBytes() throws Exception {
        RecordingStorage storage = storage("a");
        byte[] recording = bytes(10_000, 2);
        commit(storage, KEY, recording);
        assertArrayEquals(Arrays.copyOfRange(recording, 100, 200), read(storage, KEY, 100, 199));
        assertArrayEquals(Arrays.copyOfRange(recording, 9_999, 10_000), read(storage, KEY, 9_999, 9_999));
    }

    @Test
    void committingOverAStoredRecordingReplacesIt() throws Exception {
        RecordingStorage storage = storage("a");
        commit(storage, KEY, bytes(10_000, 3));
        byte[] newer = bytes(4_000, 4);
        commit(storage, KEY, newer);
        assertEquals(Optional.of(4_000L), storage.size(KEY));
        assertArrayEquals(newer, read(storage, KEY, 0, newer.length - 1));
    }

    @Test
    void aMissingKeyHasNoRecording() throws Exception {
        RecordingStorage storage = storage("a");
        assertEquals(Optional.empty(), storage.size(KEY));
        assertEquals(Optional.empty(), storage.size(null));
        assertThrows(IOException.class, () -> storage.open(KEY, 0, 1).close());
    }

    @Test
    void aDeletedRecordingIsGoneAndItsNeighboursStay() throws Exception {
        RecordingStorage storage = storage("a");
        commit(storage, KEY, bytes(1_000, 5));
        commit(storage, OTHER_BUSINESS_KEY, bytes(2_000, 6));
        storage.delete(KEY);
        assertEquals(Optional.empty(), storage.size(KEY));
        assertEquals(Optional.of(2_000L), storage.size(OTHER_BUSINESS_KEY));
        storage.delete(KEY);
    }

    @Test
    void deleteAllEmptiesThisStoreOnly() throws Exception {
        RecordingStorage mine = storage("mine");
        RecordingStorage theirs = storage("theirs");
        commit(mine, KEY, bytes(1_000, 7));
        commit(mine, OTHER_BUSINESS_KEY, bytes(1_000, 8));
        commit(theirs, KEY, bytes(3_000, 9));
        mine.deleteAll();
        assertEquals(Optional.empty(), mine.size(KEY));
        assertEquals(Optional.empty(), mine.size(OTHER_BUSINESS_KEY));
        assertEquals(Optional.of(3_000L), theirs.size(KEY));
    }

    @Test
    void aCommitTheStoreRefusesFailsAndLeavesNothingVisible() throws Exception {
        RecordingStorage storage = storage("a");
        Path temp = write(storage, bytes(10_000, 10));
        breakStorage("a", KEY);
        try {
            assertThrows(IOException.class, () -> storage.commit(temp, KEY));
        } finally {
            repairStorage("a", KEY);
        }
        assertEquals(Optional.empty(), storage.size(KEY));
    }

    @Test
    void aLargeRecordingRoundTrips() throws Exception {
        RecordingStorage storage = storage("a");
        byte[] recording = bytes(LARGE_SIZE, 11);
        commit(storage, KEY, recording);
        assertEquals(Optional.of((long) LARGE_SIZE), storage.size(KEY));
        assertArrayEquals(recording, read(storage, KEY, 0, LARGE_SIZE - 1));
    }

    static void commit(RecordingStorage storage, String key, byte[] content) throws IOException {
        Path temp = write(storage, content);
        try {
            storage.commit(temp, key);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static Path write(RecordingStorage storage, byte[] content) throws IOException {
        Path temp = storage.createTempFile();
        Files.write(temp, content);
        return temp;
    }

    static byte[] read(RecordingStorage storage, String key, long from, long to) throws IOException {
        try (InputStream in = storage.open(key, from, to)) {
            return in.readAllBytes();
        }
    }

    static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
