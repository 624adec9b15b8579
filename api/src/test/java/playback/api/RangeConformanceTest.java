package playback.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import playback.devstack.Fixtures.Call;
import playback.model.DownloadStatus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stream endpoint against RFC 9110, case by case from conformance/cases.tsv, where each expected
 * answer stands next to nginx's answer for the same file (recorded by conformance/record-nginx.sh).
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RangeConformanceTest {

    private static final int SIZE = 100_000;
    private static final Pattern PART = Pattern.compile(
            "\r\n--([^\r\n]+)\r\nContent-Type: audio/mpeg\r\nContent-Range: bytes (\\d+)-(\\d+)/" + SIZE + "\r\n\r\n");

    @Inject
    Tenants tenants;

    private Call call;
    private byte[] audio;
    private String etag;
    private String lastModified;

    record Case(String id, String method, String headers, String expected, String nginx, String note) {
        @Override
        public String toString() {
            return id + " " + method + " " + headers + " -> " + expected + (note.isEmpty() ? "" : " (" + note + ")");
        }
    }

    /** Once per class, but in a BeforeEach: Quarkus points RestAssured at the test port only by then. */
    @BeforeEach
    void readyRecording() {
        if (call != null) {
            return;
        }
        call = tenants.callWithRecording(tenants.business());
        audio = Tenants.mp3(SIZE);
        SystemUnderTest.provider().stubFor(get(urlPathEqualTo(call.providerPath()))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "audio/mpeg").withBody(audio)));
        given().auth().oauth2(call.business().token())
                .get("/api/recordings/" + call.callSid() + "/stream?explicit_user_action=true").then().statusCode(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> tenants.call(call).downloadStatus == DownloadStatus.READY);
        Response head = given().auth().oauth2(call.business().token()).head("/api/recordings/" + call.callSid() + "/stream");
        etag = head.header("ETag");
        lastModified = head.header("Last-Modified");
    }

    static List<Case> cases() throws IOException {
        try (InputStream in = RangeConformanceTest.class.getResourceAsStream("/conformance/cases.tsv")) {
            List<Case> cases = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("id\t")) {
                    continue;
                }
                String[] cols = Arrays.copyOf(line.split("\t", -1), 6);
                cases.add(new Case(cols[0], cols[1], cols[2], cols[3], cols[4], cols[5] == null ? "" : cols[5]));
            }
            return cases;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answersAsTheTableSays(Case conformance) {
        RequestSpecification request = request(conformance);
        Response response = "HEAD".equals(conformance.method()) ? request.head(path()) : request.get(path());

        String[] expected = conformance.expected().split(" ");
        int status = Integer.parseInt(expected[0]);
        assertEquals(status, response.statusCode(), conformance.toString());
        assertEquals("nosniff", response.header("X-Content-Type-Options"), conformance.toString());
        byte[] body = response.asByteArray();
        boolean head = "HEAD".equals(conformance.method());
        if (status == 304) {
            assertEquals(0, body.length);
            assertEquals(etag, response.header("ETag"));
        } else if (status == 412) {
            assertTrue(response.header("Content-Type").startsWith("application/json"), response.header("Content-Type"));
            if (!head) {
                assertEquals("precondition_failed", response.path("error"));
            }
        } else if (status == 416) {
            assertEquals(expected[1] + " " + expected[2], response.header("Content-Range"));
        } else if (status == 206 && expected[1].equals("multipart")) {
            Response get = head ? request(conformance).get(path()) : response;
            assertMultipart(get, expected[2]);
            if (head) {
                assertEquals(0, body.length);
                assertEquals(get.header("Content-Type"), response.header("Content-Type"));
                assertEquals(get.header("Content-Length"), response.header("Content-Length"),
                        "HEAD announces the length of the GET");
            }
        } else if (status == 206) {
            assertEquals(expected[1] + " " + expected[2], response.header("Content-Range"));
            String[] range = expected[2].substring(0, expected[2].indexOf('/')).split("-");
            int first = Integer.parseInt(range[0]);
            int last = Integer.parseInt(range[1]);
            assertEquals(Integer.toString(last - first + 1), response.header("Content-Length"));
            assertArrayEquals(head ? new byte[0] : Arrays.copyOfRange(audio, first, last + 1), body);
        } else {
            assertEquals(Integer.toString(SIZE), response.header("Content-Length"));
            assertArrayEquals(head ? new byte[0] : audio, body);
        }
        if (status == 200 || status == 206) {
            assertEquals("bytes", response.header("Accept-Ranges"));
            assertEquals(etag, response.header("ETag"));
        }
    }

    private RequestSpecification request(Case conformance) {
        RequestSpecification request = given().auth().oauth2(call.business().token());
        if (!conformance.headers().isEmpty()) {
            for (String header : conformance.headers().split(" ;; ")) {
                int colon = header.indexOf(':');
                request.header(header.substring(0, colon).trim(), substitute(header.substring(colon + 1).trim()));
            }
        }
        return request;
    }

    private String path() {
        return "/api/recordings/" + call.callSid() + "/stream";
    }

    private void assertMultipart(Response response, String partList) {
        String type = response.header("Content-Type");
        assertTrue(type.startsWith("multipart/byteranges; boundary="), type);
        String boundary = type.substring(type.indexOf("boundary=") + 9);
        byte[] body = response.asByteArray();
        assertEquals(Integer.toString(body.length), response.header("Content-Length"));
        String text = new String(body, StandardCharsets.ISO_8859_1);
        Matcher part = PART.matcher(text);
        List<String> seen = new ArrayList<>();
        while (part.find()) {
            assertEquals(boundary, part.group(1));
            int first = Integer.parseInt(part.group(2));
            int last = Integer.parseInt(part.group(3));
            byte[] bytes = Arrays.copyOfRange(body, part.end(), part.end() + last - first + 1);
            assertArrayEquals(Arrays.copyOfRange(audio, first, last + 1), bytes);
            seen.add(first + "-" + last);
        }
        assertEquals(partList, String.join(",", seen));
        assertTrue(text.endsWith("\r\n--" + boundary + "--\r\n"));
    }

    private String substitute(String value) {
        return value.replace("{ETAG}", etag).replace("{LAST_MODIFIED}", lastModified)
                .replace("{EARLIER}", "Thu, 01 Jan 1970 00:00:00 GMT")
                .replace("{LATER}", "Fri, 01 Jan 2100 00:00:00 GMT");
    }
}
