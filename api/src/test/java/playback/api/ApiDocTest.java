package playback.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import playback.live.LiveAudio;
import playback.testing.Docs;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * docs/api.md against the api's OpenAPI document ({@code /q/openapi}). Under "Endpoints", each endpoint is a
 * heading {@code ### METHOD /path} followed by a line {@code Statuses: 200, 404, ...}: every documented
 * endpoint and status is in the document, and every endpoint of the document is documented. The routes
 * under "Outside the OpenAPI document" are not JAX-RS resources: they must not be in the document, and
 * each is checked where it is served (the api's {@code /q/} routes answer here; the worker's live route is
 * the path {@link LiveAudio} serves).
 */
@QuarkusTest
class ApiDocTest {

    private static final Pattern ENDPOINT = Pattern.compile("^### (GET|HEAD|POST|PUT|PATCH|DELETE) (/\\S*)$");
    private static final Pattern STATUSES = Pattern.compile("^Statuses: (\\d{3}(?:, \\d{3})*)$");
    private static final String OUTSIDE = "## Outside the OpenAPI document";
    private static final Set<String> METHODS = Set.of("get", "head", "post", "put", "patch", "delete", "options");

    /** Documented endpoints ("GET /path") in the document and their statuses. */
    private final Map<String, Set<String>> documented = new LinkedHashMap<>();
    /** Documented routes outside the document. */
    private final List<String> outside = new ArrayList<>();
    private JsonNode openApi;

    @BeforeEach
    void read() throws Exception {
        openApi = new ObjectMapper().readTree(given().get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        boolean inOutside = false;
        String current = null;
        for (String line : Docs.lines(Docs.page("api.md"))) {
            if (line.equals(OUTSIDE)) {
                inOutside = true;
            }
            Matcher endpoint = ENDPOINT.matcher(line);
            if (endpoint.matches()) {
                current = endpoint.group(1) + " " + endpoint.group(2);
                if (inOutside) {
                    outside.add(current);
                    current = null;
                } else if (documented.put(current, null) != null) {
                    throw new IllegalStateException("docs/api.md documents " + current + " twice");
                }
                continue;
            }
            Matcher statuses = STATUSES.matcher(line);
            if (statuses.matches() && current != null && documented.get(current) == null) {
                documented.put(current, new TreeSet<>(List.of(statuses.group(1).split(", "))));
            }
        }
        documented.forEach((endpoint, statuses) -> {
            if (statuses == null) {
                throw new IllegalStateException("docs/api.md: " + endpoint + " has no line 'Statuses: ...'");
            }
        });
    }

    @Test
    void everyDocumentedEndpointIsInTheOpenApiDocument() {
        Set<String> missing = new TreeSet<>(documented.keySet());
        missing.removeAll(operations().keySet());
        assertEquals(Set.of(), missing, "in docs/api.md, not in /q/openapi");
    }

    @Test
    void everyEndpointOfTheOpenApiDocumentIsDocumented() {
        Set<String> missing = new TreeSet<>(operations().keySet());
        missing.removeAll(documented.keySet());
        assertEquals(Set.of(), missing, "in /q/openapi, not in docs/api.md");
    }

    @Test
    void everyDocumentedStatusIsInTheOpenApiDocument() {
        Map<String, Set<String>> operations = operations();
        List<String> missing = new ArrayList<>();
        documented.forEach((endpoint, statuses) -> {
            Set<String> answered = operations.getOrDefault(endpoint, Set.of());
            for (String status : statuses) {
                if (!answered.contains(status)) {
                    missing.add(endpoint + " " + status);
                }
            }
        });
        assertEquals(List.of(), missing, "statuses in docs/api.md that /q/openapi does not list");
    }

    @Test
    void theRoutesOutsideTheDocumentAreServedWhereTheDocsSay() {
        assertFalse(outside.isEmpty(), "docs/api.md has a section '" + OUTSIDE + "'");
        Set<String> inDocument = operations().keySet();
        for (String route : outside) {
            assertFalse(inDocument.contains(route), route + " is documented outside /q/openapi but is in it");
            String path = route.substring(route.indexOf(' ') + 1);
            if (path.startsWith("/q/")) {
                given().get(path).then().statusCode(200);
            } else {
                assertEquals("GET " + LiveAudio.PATH + "{run}", route, "the worker's live route, the only other one");
            }
        }
    }

    /** Every operation of the document ("GET /path") and the statuses it lists. */
    private Map<String, Set<String>> operations() {
        Map<String, Set<String>> operations = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> paths = openApi.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields();
            while (methods.hasNext()) {
                Map.Entry<String, JsonNode> method = methods.next();
                if (METHODS.contains(method.getKey())) {
                    Set<String> statuses = new TreeSet<>();
                    method.getValue().path("responses").fieldNames().forEachRemaining(statuses::add);
                    operations.put(method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), statuses);
                }
            }
        }
        return operations;
    }
}
