package playback.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the repository's documentation ({@code README.md}, {@code docs/*.md}) for the tests that hold it
 * to the code: its tables, by their header row, outside code blocks.
 */
public final class Docs {

    private Docs() {
    }

    /** The repository's root: the nearest directory, from the module a test runs in, that has {@code docs/}. */
    public static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("docs")) && Files.isRegularFile(dir.resolve("README.md"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root with docs/ above " + Path.of("").toAbsolutePath());
    }

    /** A page of {@code docs/}, e.g. {@code architecture.md}. */
    public static Path page(String name) {
        return root().resolve("docs").resolve(name);
    }

    public static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The body rows, split into trimmed cells, of every table of a page whose header row's first cells are
     * {@code header} (e.g. {@code "key", "environment variable"}).
     */
    public static List<List<String>> tableRows(Path file, String... header) {
        List<List<String>> rows = new ArrayList<>();
        boolean inTable = false;
        boolean separatorNext = false;
        boolean inCode = false;
        for (String line : lines(file)) {
            if (line.startsWith("```")) {
                inCode = !inCode;
                continue;
            }
            if (inCode || !line.startsWith("|")) {
                inTable = false;
                continue;
            }
            List<String> cells = cells(line);
            if (separatorNext) {
                separatorNext = false;
            } else if (inTable) {
                rows.add(cells);
            } else {
                inTable = cells.size() >= header.length && cells.subList(0, header.length).equals(Arrays.asList(header));
                separatorNext = inTable;
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException(file + " has no table headed " + Arrays.toString(header));
        }
        return rows;
    }

    /** The cells of a table row, without the outer pipes. */
    public static List<String> cells(String row) {
        String inner = row.strip();
        inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
        List<String> cells = new ArrayList<>();
        for (String cell : inner.split("\\|", -1)) {
            cells.add(cell.strip());
        }
        return cells;
    }

    /** The text of a cell's first code span ({@code `x`}), or null when it has none. */
    public static String code(String cell) {
        int start = cell.indexOf('`');
        int end = start < 0 ? -1 : cell.indexOf('`', start + 1);
        return end < 0 ? null : cell.substring(start + 1, end);
    }
}
