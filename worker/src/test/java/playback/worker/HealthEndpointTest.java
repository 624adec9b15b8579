package playback.worker;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** The worker's only HTTP: health and metrics, each saying nosniff like every api answer. */
@QuarkusTest
class HealthEndpointTest {

    @Test
    void healthAndMetricsSayNosniff() {
        for (String path : new String[] {"/q/health/live", "/q/health/ready", "/q/metrics", "/q/no-such-page"}) {
            given().get(path).then().header("X-Content-Type-Options", equalTo("nosniff"));
        }
    }
}
