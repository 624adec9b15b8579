package playback.docs;

import org.junit.jupiter.api.Test;
import playback.model.Lane;
import playback.queue.RedisKeys;
import playback.testing.Docs;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redis names table of docs/architecture.md and {@link RedisKeys}, both ways: every name the class
 * defines (its constants under the prefix, and what its methods build, each parameter written
 * {@code <...>}) is a row, and every row is a name the class defines. The other constants (fields,
 * consumer group) are named in the table's text.
 */
class RedisNamesDocTest {

    private static final long NUMBER = 918_273_645L;
    private static final String TEXT = "\u0001text\u0001";
    private static final Pattern PLACEHOLDER = Pattern.compile("<[^>]+>");

    @Test
    void theTableNamesExactlyTheNamesRedisKeysDefines() throws Exception {
        assertEquals(definedNames(), documentedNames(), "names in RedisKeys (expected) and in docs/architecture.md's table (actual)");
    }

    @Test
    void theTableNamesEveryFieldAndGroupRedisKeysDefines() throws Exception {
        String table = String.join("\n", rows().stream().map(row -> String.join(" | ", row)).toList());
        for (Field field : RedisKeys.class.getFields()) {
            String value = constant(field);
            if (value != null && !value.startsWith(RedisKeys.PREFIX)) {
                assertTrue(table.contains("`" + value + "`"), field.getName() + " (`" + value + "`) is named in the table");
            }
        }
    }

    @Test
    void everyScanPatternOfRedisKeysMatchesADocumentedName() throws Exception {
        Set<String> documented = documentedNames();
        for (Field field : RedisKeys.class.getFields()) {
            String value = constant(field);
            if (value != null && value.endsWith("*")) {
                String prefix = value.substring(0, value.length() - 1);
                assertTrue(documented.stream().anyMatch(name -> name.startsWith(prefix)),
                        field.getName() + " (" + value + ") matches a documented name");
            }
        }
    }

    private static Set<String> definedNames() throws Exception {
        Set<String> names = new TreeSet<>();
        for (Field field : RedisKeys.class.getFields()) {
            String value = constant(field);
            if (value != null && value.startsWith(RedisKeys.PREFIX) && !value.equals(RedisKeys.PREFIX) && !value.endsWith("*")) {
                names.add(value);
            }
        }
        for (Method method : RedisKeys.class.getMethods()) {
            if (!Modifier.isStatic(method.getModifiers()) || method.getReturnType() != String.class
                    || method.getDeclaringClass() != RedisKeys.class) {
                continue;
            }
            for (Object[] arguments : argumentsFor(method)) {
                names.add(((String) method.invoke(null, arguments))
                        .replace(Long.toString(NUMBER), "<>").replace(TEXT, "<>"));
            }
        }
        return names;
    }

    /** Every combination a method can be called with: a placeholder for a number or text, each value of an enum. */
    private static List<Object[]> argumentsFor(Method method) {
        List<Object[]> calls = new ArrayList<>();
        calls.add(new Object[0]);
        for (Class<?> type : method.getParameterTypes()) {
            List<Object[]> longer = new ArrayList<>();
            for (Object[] call : calls) {
                for (Object value : valuesOf(type, method)) {
                    Object[] next = java.util.Arrays.copyOf(call, call.length + 1);
                    next[call.length] = value;
                    longer.add(next);
                }
            }
            calls = longer;
        }
        return calls;
    }

    private static List<Object> valuesOf(Class<?> type, Method method) {
        if (type == long.class || type == Long.class) {
            return List.of(NUMBER);
        }
        if (type == int.class || type == Integer.class) {
            return List.of((int) NUMBER);
        }
        if (type == String.class) {
            return List.of(TEXT);
        }
        if (type == Lane.class) {
            return List.of((Object[]) Lane.values());
        }
        throw new IllegalStateException("RedisKeys." + method.getName() + " takes a " + type.getSimpleName()
                + ": teach this test to call it");
    }

    private static Set<String> documentedNames() {
        Set<String> names = new TreeSet<>();
        for (List<String> row : rows()) {
            names.add(PLACEHOLDER.matcher(Docs.code(row.get(0))).replaceAll("<>"));
        }
        return names;
    }

    private static List<List<String>> rows() {
        return Docs.tableRows(Docs.page("architecture.md"), "name", "type", "what");
    }

    private static String constant(Field field) throws IllegalAccessException {
        int modifiers = field.getModifiers();
        return Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers) && field.getType() == String.class
                ? (String) field.get(null) : null;
    }
}
