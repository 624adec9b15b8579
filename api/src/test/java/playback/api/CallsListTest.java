package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.devstack.Fixtures;
import playback.devstack.Fixtures.Business;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Recent calls: newest first, keyset pages, bad parameters and unknown routes answered in JSON. */
@QuarkusTest
class CallsListTest {

    @Inject
    Tenants tenants;

    @Test
    void pagesNewestFirstWithoutGapsOrRepeats() {
        Business business = tenants.business();
        List<String> created = new ArrayList<>();
        for (int minute = 0; minute < 7; minute++) {
            String callSid = Fixtures.sid("CA");
            Map<String, String> form = Tenants.callStatus(business, callSid);
            form.put("Timestamp", String.format("Fri, 20 Nov 2026 10:%02d:00 +0000", minute * 5));
            form.remove("CallDuration");
            tenants.webhook("call-status", form).then().statusCode(204);
            created.add(0, callSid);
        }

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = given().auth().oauth2(business.token()).queryParam("limit", 3);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.get("/api/calls");
            page.then().statusCode(200);
            seen.addAll(page.path("items.call_sid"));
            cursor = page.path("next_cursor");
            pages++;
        } while (cursor != null);

        assertEquals(created, seen);
        assertEquals(3, pages);
    }

    @Test
    void badParametersAre400() {
        Business business = tenants.business();
        for (String limit : new String[]{"0", "201", "-1", "ten"}) {
            given().auth().oauth2(business.token()).queryParam("limit", limit).get("/api/calls")
                    .then().statusCode(400).body("error", equalTo("invalid_limit"));
        }
        given().auth().oauth2(business.token()).queryParam("cursor", "!!!").get("/api/calls")
                .then().statusCode(400).body("error", equalTo("invalid_cursor"));
        given().auth().oauth2(business.token()).queryParam("wait", "31")
                .get("/api/recordings/" + Fixtures.sid("CA") + "/status")
                .then().statusCode(400).body("error", equalTo("invalid_wait"));
    }

    @Test
    void emptyBusinessHasNoNextCursor() {
        Business business = tenants.business();
        Response page = given().auth().oauth2(business.token()).get("/api/calls");
        page.then().statusCode(200).body("items", hasSize(0));
        assertNull(page.path("next_cursor"));
    }

    @Test
    void unknownRoutesAndMethodsAnswerJson() {
        given().get("/api/nothing-here").then().statusCode(404).contentType(startsWith("application/json"))
                .body("error", equalTo("not_found"));
        given().delete("/api/calls").then().statusCode(405).body("error", equalTo("method_not_allowed"));
        given().contentType("application/json").body("{not json").post("/api/dev/token")
                .then().statusCode(400).contentType(startsWith("application/json"));
        given().contentType("application/json").body(Map.of("business_id", 987654321)).post("/api/dev/token")
                .then().statusCode(404).body("error", equalTo("unknown_business"));
    }
}
