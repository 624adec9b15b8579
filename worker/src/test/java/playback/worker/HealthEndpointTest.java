package playback.worker;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import playback.testing.DocumentedMetrics;

import java.util.List;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The worker's HTTP: health and metrics, each saying nosniff like every api answer; the metrics of its rows
 * of the metrics table in docs/operations.md, both ways.
 */
@QuarkusTest
class HealthEndpointTest {

    @Test
    void healthAndMetricsSayNosniff() {
        for (String path : new String[] {"/q/health/live", "/q/health/ready", "/q/metrics", "/q/no-such-page"}) {
            given().get(path).then().header("X-Content-Type-Options", equalTo("nosniff"));
        }
    }

    @Test
    void everyDocumentedMetricIsExportedFromTheStartAndEveryExportedOneIsDocumented() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        List<String> notExported = DocumentedMetrics.exportedFromTheStart("worker").stream()
                .filter(name -> !metrics.contains("\n" + name)).toList();
        assertAll(() -> assertEquals(List.of(), notExported, "in the worker's rows of docs/operations.md, not exported"),
                () -> assertEquals(Set.of(), DocumentedMetrics.undocumented("worker", metrics),
                        "exported, and not in the worker's rows of docs/operations.md"));
    }
}
