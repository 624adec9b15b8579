package playback.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names the README's metrics table documents for one service (its rows under
 * {@code | **worker** |} or {@code | **api** |}), so that a test can hold the services to their table.
 * Series labelled per business or per HTTP status appear with their first business or status; they are
 * left out.
 */
public final class DocumentedMetrics {

    private static final Pattern ROW = Pattern.compile("^\\| `(playback_[a-z_]+)` \\| [a-z]+ \\| ([^|]*) \\|");
    private static final Pattern SECTION = Pattern.compile("^\\| \\*\\*([a-z]+)\\*\\* \\|");

    private DocumentedMetrics() {
    }

    /** @param service {@code worker} or {@code api} */
    public static List<String> of(String service) {
        List<String> names = new ArrayList<>();
        String current = null;
        for (String line : readme()) {
            Matcher section = SECTION.matcher(line);
            if (section.find()) {
                current = section.group(1);
                continue;
            }
            Matcher row = ROW.matcher(line);
            if (row.find() && service.equals(current) && !row.group(2).contains("business_id")
                    && !row.group(2).contains("`status`")) {
                names.add(row.group(1));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("the README documents no metric of " + service);
        }
        return names;
    }

    private static List<String> readme() {
        try {
            return Files.readAllLines(Path.of("..", "README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
