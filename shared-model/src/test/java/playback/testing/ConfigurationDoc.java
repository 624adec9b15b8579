package playback.testing;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import playback.queue.RedisKeys;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The configuration tables of {@code docs/configuration.md} against the {@code @ConfigMapping} interfaces a
 * service reads, both ways. A service's mappings are every interface annotated {@code @ConfigMapping} in its
 * own classes and in shared-model's, found by scanning them, so a new mapping is checked without naming it
 * here. Keys are derived as SmallRye derives them: the prefix, then each method in kebab-case (or its
 * {@code @WithName}), nested groups adding their own segment (none with {@code @WithParentName}).
 */
public final class ConfigurationDoc {

    private static final String[] HEADER = {"key", "environment variable", "default", "read by", "meaning"};
    private static final Set<String> SERVICES = Set.of("api", "worker");
    private static final String NONE = "—";
    private static final byte[] MAPPING_DESCRIPTOR = "Lio/smallrye/config/ConfigMapping;".getBytes(StandardCharsets.UTF_8);

    private ConfigurationDoc() {
    }

    /** A property of a mapping: its key and its {@code @WithDefault}, null when it has none. */
    public record Property(String key, String defaultValue, String mapping) {
    }

    /**
     * What is wrong between the table and the service's mappings; empty when they agree.
     *
     * @param service    {@code api} or {@code worker}, as the table's "read by" column names it
     * @param ownClasses any class of the service, whose classes are scanned for mappings
     */
    public static List<String> problems(String service, Class<?> ownClasses) {
        Map<String, Property> properties = properties(mappings(ownClasses, RedisKeys.class));
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> rows = new TreeMap<>();
        for (List<String> row : Docs.tableRows(Docs.page("configuration.md"), HEADER)) {
            String key = Docs.code(row.get(0));
            if (key == null || !key.startsWith("playback.")) {
                problems.add("the table has a row that is not a playback.* key: " + row.get(0));
                continue;
            }
            if (rows.put(key, row) != null) {
                problems.add(key + " has two rows");
            }
        }
        properties.forEach((key, property) -> {
            List<String> row = rows.get(key);
            if (row == null) {
                problems.add(key + " (" + property.mapping() + ") is not in the table");
                return;
            }
            if (!readBy(row).contains(service)) {
                problems.add(key + " is read by " + service + " (" + property.mapping() + "), the table says " + row.get(3));
            }
            String documented = documentedDefault(row.get(2));
            String expected = property.defaultValue() == null ? NONE : property.defaultValue();
            if (!expected.equals(documented)) {
                problems.add(key + " defaults to " + expected + ", the table says " + row.get(2));
            }
        });
        rows.forEach((key, row) -> {
            for (String reader : readBy(row)) {
                if (!SERVICES.contains(reader)) {
                    problems.add(key + " is read by an unknown service: " + reader);
                }
            }
            if (readBy(row).contains(service) && !properties.containsKey(key)) {
                problems.add(key + " is in the table as read by " + service + ", but no mapping of " + service + " has it");
            }
            String environment = Docs.code(row.get(1));
            if (!environmentVariable(key).equals(environment)) {
                problems.add(key + "'s environment variable is " + environmentVariable(key) + ", the table says " + row.get(1));
            }
        });
        return problems;
    }

    /** Every property of the given mappings, by key. */
    public static Map<String, Property> properties(List<Class<?>> mappings) {
        Map<String, Property> properties = new TreeMap<>();
        for (Class<?> mapping : mappings) {
            ConfigMapping annotation = mapping.getAnnotation(ConfigMapping.class);
            if (annotation.namingStrategy() != ConfigMapping.NamingStrategy.KEBAB_CASE) {
                throw new IllegalStateException(mapping.getName() + " names its keys " + annotation.namingStrategy()
                        + ": teach ConfigurationDoc that strategy");
            }
            collect(mapping, annotation.prefix(), mapping.getSimpleName(), properties);
        }
        return properties;
    }

    private static void collect(Class<?> group, String path, String mapping, Map<String, Property> properties) {
        for (Method method : group.getMethods()) {
            if (method.isDefault() || Modifier.isStatic(method.getModifiers()) || method.getParameterCount() > 0) {
                continue;
            }
            String segment = method.isAnnotationPresent(WithParentName.class) ? ""
                    : method.isAnnotationPresent(WithName.class) ? method.getAnnotation(WithName.class).value()
                    : kebab(method.getName());
            String key = segment.isEmpty() ? path : path + "." + segment;
            Class<?> type = valueType(method);
            if (Map.class.isAssignableFrom(type)) {
                throw new IllegalStateException(mapping + "." + method.getName() + " is a map: teach ConfigurationDoc its keys");
            }
            if (isGroup(type)) {
                collect(type, key, mapping, properties);
                continue;
            }
            WithDefault fallback = method.getAnnotation(WithDefault.class);
            Property property = new Property(key, fallback == null ? null : fallback.value(), mapping);
            Property before = properties.putIfAbsent(key, property);
            if (before != null && !java.util.Objects.equals(before.defaultValue(), property.defaultValue())) {
                throw new IllegalStateException(key + " has two defaults: " + before + " and " + property);
            }
        }
    }

    /** The type a method maps, seen through {@code Optional}. */
    private static Class<?> valueType(Method method) {
        if (method.getReturnType() != Optional.class) {
            return method.getReturnType();
        }
        Type inner = ((ParameterizedType) method.getGenericReturnType()).getActualTypeArguments()[0];
        return inner instanceof ParameterizedType parameterized ? (Class<?>) parameterized.getRawType() : (Class<?>) inner;
    }

    private static boolean isGroup(Class<?> type) {
        return type.isInterface() && !type.getName().startsWith("java.");
    }

    /** {@code pathStyleAccess} to {@code path-style-access}, as SmallRye's kebab-case does. */
    static String kebab(String name) {
        StringBuilder kebab = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean afterLower = i > 0 && !Character.isUpperCase(name.charAt(i - 1));
                boolean beforeLower = i > 0 && i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1));
                if (afterLower || beforeLower) {
                    kebab.append('-');
                }
                kebab.append(Character.toLowerCase(c));
            } else {
                kebab.append(c);
            }
        }
        return kebab.toString();
    }

    /** How Quarkus finds a key in the environment: upper case, anything but letters and digits an underscore. */
    static String environmentVariable(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
    }

    private static String documentedDefault(String cell) {
        if (cell.startsWith(NONE)) {
            return NONE;
        }
        String code = Docs.code(cell);
        return code == null ? "unreadable: " + cell : code;
    }

    private static Set<String> readBy(List<String> row) {
        Set<String> services = new LinkedHashSet<>();
        for (String service : row.get(3).split(",")) {
            services.add(service.strip());
        }
        return services;
    }

    /** Every {@code @ConfigMapping} interface among the classes next to each of the given ones (a directory or a jar). */
    static List<Class<?>> mappings(Class<?>... neighbours) {
        Set<Class<?>> mappings = new LinkedHashSet<>();
        for (Class<?> neighbour : neighbours) {
            Path location;
            try {
                location = Path.of(neighbour.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
            for (String name : classNames(location)) {
                try {
                    Class<?> type = Class.forName(name, false, neighbour.getClassLoader());
                    if (type.isAnnotationPresent(ConfigMapping.class)) {
                        mappings.add(type);
                    }
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        if (mappings.isEmpty()) {
            throw new IllegalStateException("no @ConfigMapping next to " + Arrays.toString(neighbours));
        }
        return new ArrayList<>(mappings);
    }

    /** The classes of a directory or jar that mention {@code @ConfigMapping}. */
    private static List<String> classNames(Path location) {
        List<String> names = new ArrayList<>();
        try {
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location)) {
                    for (Path file : files.filter(path -> path.toString().endsWith(".class")).toList()) {
                        if (mentionsMapping(Files.readAllBytes(file))) {
                            names.add(className(location.relativize(file).toString()));
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    for (var entry : jar.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            if (mentionsMapping(in.readAllBytes())) {
                                names.add(className(entry.getName()));
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    private static String className(String file) {
        return file.substring(0, file.length() - ".class".length()).replace('/', '.').replace('\\', '.');
    }

    private static boolean mentionsMapping(byte[] bytes) {
        outer:
        for (int i = 0; i + MAPPING_DESCRIPTOR.length <= bytes.length; i++) {
            for (int j = 0; j < MAPPING_DESCRIPTOR.length; j++) {
                if (bytes[i + j] != MAPPING_DESCRIPTOR[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
