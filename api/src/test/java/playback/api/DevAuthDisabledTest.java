package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/** With dev auth off (the production default) the dev endpoints do not exist. */
@QuarkusTest
@TestProfile(DevAuthDisabledTest.DevAuthOff.class)
class DevAuthDisabledTest {

    public static class DevAuthOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("playback.dev-auth.enabled", "false");
        }
    }

    @Test
    void devEndpointsAnswer404() {
        given().get("/api/dev/businesses").then().statusCode(404).body("error", equalTo("not_found"));
        given().contentType("application/json").body(Map.of("business_id", 1)).post("/api/dev/token")
                .then().statusCode(404).body("error", equalTo("not_found"));
        given().post("/api/dev/reset").then().statusCode(404).body("error", equalTo("not_found"));
    }
}
