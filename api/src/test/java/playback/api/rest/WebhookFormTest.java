package playback.api.rest;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The webhook form decoder, without a server: what it accepts, and the status of what it refuses. */
class WebhookFormTest {

    @Test
    void decodesWhatAProviderSends() {
        WebhookForm form = parse("From=%2B15551234567&To=sip%3Aalice%40example.com%3Btransport%3Dtls"
                + "&CallerName=Ann+Lee&Empty=&Flag&Name=%D7%93%D7%A0%D7%99");
        assertEquals("+15551234567", form.first("From"));
        assertEquals("sip:alice@example.com;transport=tls", form.first("To"));
        assertEquals("Ann Lee", form.first("CallerName"));
        assertEquals("", form.first("Empty"));
        assertEquals("", form.first("Flag"));
        assertEquals("דני", form.first("Name"));
        assertNull(form.first("Missing"));
    }

    @Test
    void keepsRepeatedParametersInOrder() {
        assertEquals(Map.of("A", List.of("1", "2")), parse("A=1&&A=2").parameters());
    }

    @Test
    void refusesWhatCannotBeDecoded() {
        for (String body : List.of("AccountSid=%zz", "From=%", "From=%4", "==", "=x", "From=%C3%28", "From=%00", "%00=1")) {
            ApiException refused = assertThrows(ApiException.class, () -> parse(body), body);
            assertEquals(400, refused.status(), body);
            assertEquals("invalid_form", refused.code(), body);
        }
    }

    @Test
    void refusesABodyOverTheLimit() {
        byte[] body = ("From=" + "1".repeat(WebhookForm.MAX_BYTES)).getBytes(StandardCharsets.US_ASCII);
        ApiException refused = assertThrows(ApiException.class, () -> WebhookForm.read(new ByteArrayInputStream(body)));
        assertEquals(413, refused.status());
        byte[] atLimit = ("From=" + "1".repeat(WebhookForm.MAX_BYTES - 5)).getBytes(StandardCharsets.US_ASCII);
        assertEquals(WebhookForm.MAX_BYTES - 5, WebhookForm.read(new ByteArrayInputStream(atLimit)).first("From").length());
    }

    private static WebhookForm parse(String body) {
        return WebhookForm.parse(body.getBytes(StandardCharsets.ISO_8859_1));
    }
}
