package playback.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics table of {@code docs/operations.md} (rows under {@code | **worker** |} or {@code | **api** |}),
 * so that a test can hold a service to it both ways: every documented name exported, every exported
 * {@code playback_*} name documented.
 */
public final class DocumentedMetrics {

    private static final Pattern SECTION = Pattern.compile("^\\*\\*([a-z]+)\\*\\*$");
    private static final Pattern SAMPLE = Pattern.compile("^(playback_[a-z0-9_]+)[{ ]", Pattern.MULTILINE);
    /** What Prometheus appends to a histogram's or a timer's name for its series. */
    private static final List<String> SERIES_SUFFIXES = List.of("_bucket", "_count", "_sum", "_max", "_created");

    private DocumentedMetrics() {
    }

    /**
     * The names exported from the start, at zero: the documented ones less the series labelled per
     * business or per HTTP status, which appear with their first business or status.
     *
     * @param service {@code worker} or {@code api}
     */
    public static List<String> exportedFromTheStart(String service) {
        List<String> names = new ArrayList<>();
        for (List<String> row : rows(service)) {
            if (!row.get(2).contains("business_id") && !row.get(2).contains("`status`")) {
                names.add(Docs.code(row.get(0)));
            }
        }
        return names;
    }

    /** Every name the table documents for a service. */
    public static Set<String> all(String service) {
        Set<String> names = new TreeSet<>();
        for (List<String> row : rows(service)) {
            names.add(Docs.code(row.get(0)));
        }
        return names;
    }

    /** The {@code playback_*} names of a {@code /q/metrics} scrape that the service's rows do not document. */
    public static Set<String> undocumented(String service, String scrape) {
        Set<String> documented = all(service);
        Set<String> missing = new TreeSet<>();
        Matcher sample = SAMPLE.matcher(scrape);
        while (sample.find()) {
            String name = sample.group(1);
            if (!documented.contains(name) && !documented.contains(family(name))) {
                missing.add(name);
            }
        }
        return missing;
    }

    private static String family(String series) {
        for (String suffix : SERIES_SUFFIXES) {
            if (series.endsWith(suffix)) {
                return series.substring(0, series.length() - suffix.length());
            }
        }
        return series;
    }

    private static List<List<String>> rows(String service) {
        List<List<String>> rows = new ArrayList<>();
        String current = null;
        for (List<String> row : Docs.tableRows(Docs.page("operations.md"), "name", "type", "labels", "meaning")) {
            Matcher section = SECTION.matcher(row.get(0));
            if (section.matches()) {
                current = section.group(1);
            } else if (service.equals(current)) {
                rows.add(row);
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException("docs/operations.md documents no metric of " + service);
        }
        return rows;
    }
}
