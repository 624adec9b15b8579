package playback.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Figures, tables and the summary. Each benchmark prints its own table and writes its result line (or
 * lines, one per case it judges) to {@code bench/target/bench-results/<key>.tsv}; {@link #main} prints
 * the summary of the keys given.
 */
final class Report {

    static final Path RESULTS = Path.of("bench/target/bench-results");
    static final String[] ORDER = {"cold", "warm", "memory", "dedup", "s3", "memory-s3", "backlog", "hits", "firstaudio"};

    private Report() {
    }

    /** Nearest-rank percentile (q in 0..1) of values; NaN when empty. */
    static double percentile(Collection<? extends Number> values, double q) {
        double[] sorted = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static String verdict(boolean pass) {
        return pass ? "PASS" : "MISS";
    }

    /** A fixed-width table; the first row is the header. */
    static String table(List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            for (int i = 0; i < columns; i++) {
                out.append(i == 0 ? "| " : " | ").append(String.format("%-" + width[i] + "s", row[i]));
            }
            out.append(" |\n");
            if (r == 0) {
                for (int i = 0; i < columns; i++) {
                    out.append(i == 0 ? "|-" : "-|-").append("-".repeat(width[i]));
                }
                out.append("-|\n");
            }
        }
        return out.toString();
    }

    static String[] row(String... cells) {
        return cells;
    }

    /** Records a benchmark's headline for the summary: what, the figure, the goal, PASS/MISS. */
    static void save(String key, String what, String figure, String goal, boolean pass) throws IOException {
        save(key, List.<String[]>of(summaryRow(what, figure, goal, pass)));
    }

    /** Records several rows of a benchmark for the summary, each made by {@link #summaryRow}. */
    static void save(String key, List<String[]> rows) throws IOException {
        Files.createDirectories(RESULTS);
        StringBuilder lines = new StringBuilder();
        for (String[] row : rows) {
            lines.append(String.join("\t", row).replace("\n", " ")).append("\n");
        }
        Files.writeString(RESULTS.resolve(key + ".tsv"), lines.toString(), StandardCharsets.UTF_8);
    }

    /** One row of the summary: what, the figure, the goal, PASS/MISS. */
    static String[] summaryRow(String what, String figure, String goal, boolean pass) {
        return row(what, figure, goal, verdict(pass));
    }

    static String machine() {
        String model = "unknown CPU";
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(model);
        } catch (IOException ignored) {
            // not Linux
        }
        return Runtime.getRuntime().availableProcessors() + " cores (nproc), " + model;
    }

    /** Prints the summary of the benchmarks named (default: all); s3 includes its memory run, memory-s3. */
    public static void main(String[] args) throws IOException {
        List<String> keys = new ArrayList<>(args.length == 0 ? Arrays.asList(ORDER) : Arrays.asList(args));
        if (keys.contains("s3")) {
            keys.add("memory-s3");
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(row("benchmark", "measured", "goal", "result"));
        for (String key : ORDER) {
            if (!keys.contains(key)) {
                continue;
            }
            Path file = RESULTS.resolve(key + ".tsv");
            if (Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        rows.add(line.split("\t", 4));
                    }
                }
            } else {
                rows.add(row(key, "no result: the benchmark failed (see its output above)", "", "ERROR"));
            }
        }
        System.out.println();
        System.out.println("=== Summary, " + LocalDate.now() + ", " + machine() + " ===");
        System.out.print(table(rows));
    }
}
