package playback.lifecycle;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recording columns of {@code call_logs} and the {@code recording_runs} table are written by the
 * package {@code playback.lifecycle} only: this scans the main sources of every module (the migrations
 * aside) for SQL or entity writes elsewhere.
 */
class LifecycleOwnershipTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    /** The owning package's directory, as it appears in a source path. */
    private static final Path OWNER = Path.of(RecordingRules.class.getPackageName().replace('.', '/'));

    /** A Java text block or string literal: the SQL the services send. */
    private static final Pattern LITERAL = Pattern.compile("\"\"\"(.*?)\"\"\"|\"((?:[^\"\\\\\\n]|\\\\.)*)\"", Pattern.DOTALL);
    private static final Pattern RUNS_WRITE = Pattern.compile("\\b(insert\\s+into|update|delete\\s+from)\\s+recording_runs\\b");
    private static final Pattern CALLS_WRITE = Pattern.compile("\\b(insert\\s+into|update|delete\\s+from)\\s+call_logs\\b");
    private static final Pattern ENTITY_WRITE = Pattern.compile(
            "\\b(CallLog|RecordingRun)\\.(update|delete|deleteAll|persist)\\(|\\.(persist|persistAndFlush)\\(");

    @Test
    void onlyTheLifecycleWritesRecordingState() throws IOException {
        List<Path> sources = mainSources();
        assertTrue(sources.stream().anyMatch(LifecycleOwnershipTest::owned),
                "the scan sees the owner itself, so it sees the other modules' sources too: " + REPOSITORY);
        assertTrue(sources.stream().anyMatch(path -> path.toString().contains("/worker/")), "the worker is scanned");
        assertTrue(sources.stream().anyMatch(path -> path.toString().contains("/api/")), "the api is scanned");

        List<String> writers = new ArrayList<>();
        for (Path source : sources) {
            if (owned(source)) {
                continue;
            }
            writers.addAll(writesIn(source, Files.readString(source)));
        }
        assertEquals(List.of(), writers, "recording state written outside " + OWNER);
    }

    @Test
    void theOwnerIsThePackageInSharedModelAndNothingBesideIt() {
        Path root = REPOSITORY.resolve("shared-model/src/main/java");
        assertTrue(owned(root.resolve(OWNER).resolve("DownloadRuns.java")));
        assertFalse(owned(root.resolve(OWNER).resolve("sub/Writer.java")), "a subpackage is not the owner");
        assertFalse(owned(REPOSITORY.resolve("worker/src/main/java").resolve(OWNER).resolve("Writer.java")),
                "the same package in another module is not the owner");
    }

    @Test
    void theScanFindsEachKindOfWrite() {
        Path file = Path.of("Example.java");
        assertEquals(1, writesIn(file, "q(\"\"\"\n  UPDATE recording_runs set status = 'x'\"\"\");").size());
        assertEquals(1, writesIn(file, "q(\"delete from recording_runs\");").size());
        assertEquals(1, writesIn(file, "q(\"\"\"\nupdate call_logs set recording_error = null\"\"\");").size());
        assertEquals(1, writesIn(file, "call.persist();").size());
        assertEquals(0, writesIn(file, "q(\"select status from recording_runs where id = ?1\");").size());
        assertEquals(0, writesIn(file, "q(\"\"\"\ninsert into call_logs (call_sid, direction) values (?1, ?2)\"\"\");").size(),
                "a call's own columns are the call webhook's");
    }

    /** A source directly in the owning package of shared-model. */
    private static boolean owned(Path source) {
        return source.getParent().equals(REPOSITORY.resolve("shared-model/src/main/java").resolve(OWNER));
    }

    private static List<String> writesIn(Path source, String text) {
        List<String> writes = new ArrayList<>();
        Matcher literal = LITERAL.matcher(text);
        while (literal.find()) {
            String sql = (literal.group(1) != null ? literal.group(1) : literal.group(2)).toLowerCase();
            boolean callsWrite = CALLS_WRITE.matcher(sql).find() && sql.contains("recording_");
            if (RUNS_WRITE.matcher(sql).find() || callsWrite) {
                writes.add(source + ": " + sql.strip().lines().findFirst().orElse(""));
            }
        }
        Matcher entity = ENTITY_WRITE.matcher(text);
        while (entity.find()) {
            writes.add(source + ": " + entity.group());
        }
        return writes;
    }

    private static List<Path> mainSources() throws IOException {
        try (Stream<Path> modules = Files.list(REPOSITORY)) {
            return modules.map(module -> module.resolve("src/main/java")).filter(Files::isDirectory)
                    .flatMap(LifecycleOwnershipTest::javaFiles).toList();
        }
    }

    private static Stream<Path> javaFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(path -> path.toString().endsWith(".java")).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
