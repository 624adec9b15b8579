package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import playback.devstack.Fixtures.Business;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every answer says nosniff, whoever writes it; the UI's HTML also carries a Content-Security-Policy
 * that keeps it to its own origin and out of frames. (The stream's answers are checked case by case
 * in {@link RangeConformanceTest}.)
 */
@QuarkusTest
class SecurityHeadersTest {

    private static final String CSP = "default-src 'self'; media-src 'self'; object-src 'none'; "
            + "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    @Inject
    Tenants tenants;

    @Test
    void jsonAnswersAndErrorsSayNosniff() {
        Business business = tenants.business();
        assertNosniff(given().auth().oauth2(business.token()).get("/api/calls"), 200);
        assertNosniff(given().get("/api/calls"), 401);
        assertNosniff(given().auth().oauth2(business.token()).get("/api/recordings/nope/status"), 400);
        assertNosniff(given().get("/api/no-such-endpoint"), 404);
        assertNosniff(given().get("/q/health/live"), 200);
    }

    @Test
    void theUiIsKeptToItsOwnOrigin() {
        for (String path : new String[]{"/", "/index.html"}) {
            Response page = given().get(path);
            assertNosniff(page, 200);
            assertTrue(page.header("Content-Type").startsWith("text/html"), page.header("Content-Type"));
            assertEquals(CSP, page.header("Content-Security-Policy"), path);
        }
        String lastModified = given().get("/index.html").header("Last-Modified");
        Response unchanged = given().header("If-Modified-Since", lastModified).get("/index.html");
        assertNosniff(unchanged, 304);
    }

    @Test
    void staticFilesSayNosniffWithoutAPolicy() {
        Response icon = given().get("/favicon.ico");
        assertNosniff(icon, 200);
        assertTrue(icon.asByteArray().length > 0, "the favicon has content");
        assertNull(icon.header("Content-Security-Policy"), "the policy is for HTML");
        assertNull(given().auth().oauth2(tenants.business().token()).get("/api/calls")
                .header("Content-Security-Policy"));
    }

    private static void assertNosniff(Response response, int status) {
        assertEquals(status, response.statusCode());
        assertEquals("nosniff", response.header("X-Content-Type-Options"));
    }
}
