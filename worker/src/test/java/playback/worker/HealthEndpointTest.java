package playback.worker;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import playback.testing.DocumentedMetrics;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker's only HTTP: health and metrics, each saying nosniff like every api answer; the metrics of its README table. */
@QuarkusTest
class HealthEndpointTest {

    @Test
    void healthAndMetricsSayNosniff() {
        for (String path : new String[] {"/q/health/live", "/q/health/ready", "/q/metrics", "/q/no-such-page"}) {
            given().get(path).then().header("X-Content-Type-Options", equalTo("nosniff"));
        }
    }

    @Test
    void everyMetricOfTheReadmeTableIsExportedFromTheStart() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : DocumentedMetrics.of("worker")) {
            assertTrue(metrics.contains("\n" + name), name + " is exported");
        }
    }
}
