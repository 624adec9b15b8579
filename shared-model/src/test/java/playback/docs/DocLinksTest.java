package playback.docs;

import org.junit.jupiter.api.Test;
import playback.testing.Docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every relative link (with its {@code #anchor}) and every repository path written in code
 * ({@code `deploy/prove.sh`}, {@code `api/src/main/...`}) in {@code README.md} and {@code docs/*.md} exists,
 * and so does every relative link of the modules' READMEs. A path may abbreviate directories with
 * {@code ...} and use a glob ({@code *}, {@code **}): then at least one file must match; {@code {a,b}} names
 * several paths, each of which must exist.
 * Build output ({@code target/}) and what the services create at run time ({@code data/}) are not paths
 * of the repository.
 */
class DocLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern REPOSITORY_PATH = Pattern.compile(
            "^(\\./)?(api|worker|shared-model|simulator|devstack|e2e|bench|frontend|deploy|scripts|docs|\\.ci)/\\S*$"
                    + "|^(\\./)?(run\\.sh|docker-compose\\.yml|pom\\.xml|mvnw)$");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$");

    private final Path root = Docs.root();
    private final Map<Path, Set<String>> anchors = new HashMap<>();

    @Test
    void everyLinkAndEveryPathOfTheDocsExists() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            checkLinks(page, broken);
            checkPaths(page, broken);
        }
        assertEquals(List.of(), broken, "links and paths that lead nowhere");
    }

    @Test
    void everyLinkOfTheModulesReadmesExists() throws IOException {
        List<String> broken = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path readme : modules.map(dir -> dir.resolve("README.md")).filter(Files::isRegularFile).toList()) {
                if (!readme.getParent().equals(root)) {
                    checkLinks(readme, broken);
                }
            }
        }
        assertEquals(List.of(), broken, "links that lead nowhere");
    }

    private List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    private void checkLinks(Path page, List<String> broken) {
        for (String line : prose(page)) {
            Matcher link = LINK.matcher(CODE_SPAN.matcher(line).replaceAll("code"));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue; // http:, https:, mailto:
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(where(page) + ": " + target);
                } else if (hash >= 0 && resolved.toString().endsWith(".md")
                        && !anchors(resolved).contains(target.substring(hash + 1))) {
                    broken.add(where(page) + ": " + target + " (no such heading)");
                }
            }
        }
    }

    private void checkPaths(Path page, List<String> broken) {
        for (String line : prose(page)) {
            Matcher code = CODE_SPAN.matcher(line);
            while (code.find()) {
                for (String word : code.group(1).split("\\s+")) {
                    if (!REPOSITORY_PATH.matcher(word).matches() || isBuildOutput(word) || word.contains("<")) {
                        continue;
                    }
                    for (String path : expandBraces(word.startsWith("./") ? word.substring(2) : word)) {
                        if (!exists(path)) {
                            broken.add(where(page) + ": `" + word + "`" + (path.equals(word) ? "" : " (" + path + ")"));
                        }
                    }
                }
            }
        }
    }

    /** {@code a/{b,c}/d} is two paths, each of which must exist. */
    static List<String> expandBraces(String path) {
        int open = path.indexOf('{');
        int close = path.indexOf('}', open);
        if (open < 0 || close < 0) {
            return List.of(path);
        }
        List<String> paths = new ArrayList<>();
        for (String alternative : path.substring(open + 1, close).split(",")) {
            paths.addAll(expandBraces(path.substring(0, open) + alternative + path.substring(close + 1)));
        }
        return paths;
    }

    private static boolean isBuildOutput(String path) {
        return path.contains("/target/") || path.endsWith("/target");
    }

    private boolean exists(String path) {
        String pattern = path.replace("...", "**").replaceAll("/+$", "");
        if (pattern.chars().noneMatch(c -> c == '*' || c == '?' || c == '[')) {
            return Files.exists(root.resolve(pattern));
        }
        String literal = pattern.substring(0, Math.max(0, pattern.lastIndexOf('/', firstGlobCharacter(pattern))));
        Path start = root.resolve(literal);
        if (!Files.isDirectory(start)) {
            return false;
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        AtomicBoolean found = new AtomicBoolean();
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                    String name = dir.getFileName().toString();
                    if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return visit(dir);
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    return visit(file);
                }

                private FileVisitResult visit(Path path) {
                    if (matcher.matches(root.relativize(path))) {
                        found.set(true);
                        return FileVisitResult.TERMINATE;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found.get();
    }

    private static int firstGlobCharacter(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            if ("*?[".indexOf(pattern.charAt(i)) >= 0) {
                return i;
            }
        }
        return pattern.length();
    }

    /** The headings' anchors as GitHub makes them: lowercase, punctuation dropped, spaces to hyphens, repeats numbered. */
    private Set<String> anchors(Path page) {
        return anchors.computeIfAbsent(page, file -> {
            Set<String> slugs = new HashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            for (String line : prose(file)) {
                Matcher heading = HEADING.matcher(line);
                if (heading.matches()) {
                    String slug = slug(heading.group(1));
                    int repeat = seen.merge(slug, 1, Integer::sum) - 1;
                    slugs.add(repeat == 0 ? slug : slug + "-" + repeat);
                }
            }
            return slugs;
        });
    }

    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^]]*)]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
        StringBuilder slug = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.appendCodePoint(c);
            } else if (c == ' ') {
                slug.append('-');
            }
        });
        return slug.toString();
    }

    /** The page's lines outside fenced code blocks. */
    private static List<String> prose(Path page) {
        List<String> lines = new ArrayList<>();
        boolean inCode = false;
        for (String line : Docs.lines(page)) {
            if (line.startsWith("```")) {
                inCode = !inCode;
            } else if (!inCode) {
                lines.add(line);
            }
        }
        return lines;
    }

    private String where(Path page) {
        return root.relativize(page).toString();
    }
}
