package playback.devstack;

import java.util.ArrayList;
import java.util.List;

/**
 * The one table a run of scenarios prints (the end-to-end checks, the container proof): scenario,
 * pass/fail, the numbers behind it.
 */
public final class ResultTable {

    private record Row(String scenario, boolean passed, String numbers) {
    }

    private final List<Row> rows = new ArrayList<>();

    public synchronized void add(String scenario, boolean passed, String numbers) {
        rows.add(new Row(scenario, passed, numbers));
    }

    /** How many scenarios passed. */
    public synchronized long passed() {
        return rows.stream().filter(Row::passed).count();
    }

    public synchronized int size() {
        return rows.size();
    }

    public synchronized String render() {
        int width = rows.stream().mapToInt(row -> row.scenario().length()).max().orElse(10);
        StringBuilder out = new StringBuilder("\n");
        String format = "| %-" + width + "s | %-4s | %s%n";
        out.append(String.format(format, "scenario", "pass", "numbers"));
        out.append("|").append("-".repeat(width + 2)).append("|------|").append("-".repeat(60)).append("\n");
        for (Row row : rows) {
            out.append(String.format(format, row.scenario(), row.passed() ? "PASS" : "FAIL", row.numbers()));
        }
        out.append(String.format("scenarios passing: %d of %d%n", passed(), rows.size()));
        return out.toString();
    }
}
