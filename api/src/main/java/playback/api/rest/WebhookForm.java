package playback.api.rest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A provider webhook's form body ({@code application/x-www-form-urlencoded}), read with a size limit and
 * decoded strictly, so that nothing a client sends can make the signature check or the insert throw: a
 * body over {@link #MAX_BYTES} is a 413, a broken escape, invalid UTF-8, a parameter without a name or a
 * NUL character (which PostgreSQL cannot store) is a 400.
 */
public final class WebhookForm {

    /** Far above any status callback (a few hundred bytes), far below what would hurt the api. */
    public static final int MAX_BYTES = 64 * 1024;

    private final Map<String, List<String>> parameters;

    private WebhookForm(Map<String, List<String>> parameters) {
        this.parameters = Collections.unmodifiableMap(parameters);
    }

    /** Reads at most {@link #MAX_BYTES} of the body, then decodes it. */
    public static WebhookForm read(InputStream body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int read = body.read(buffer); read != -1; read = body.read(buffer)) {
                bytes.write(buffer, 0, read);
                if (bytes.size() > MAX_BYTES) {
                    throw new ApiException(413, "payload_too_large",
                            "a webhook body may not exceed " + MAX_BYTES + " bytes");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parse(bytes.toByteArray());
    }

    public static WebhookForm parse(byte[] body) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        String text = new String(body, StandardCharsets.ISO_8859_1);
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            if (name.isEmpty()) {
                throw invalid("a form parameter has no name");
            }
            if (name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
                throw invalid("form parameter " + printable(name) + " contains a NUL character");
            }
            parameters.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
        }
        return new WebhookForm(parameters);
    }

    /** Every parameter and its values, in the order sent: what the provider signed. */
    public Map<String, List<String>> parameters() {
        return parameters;
    }

    /** The first value of a parameter, or null when it is absent. */
    public String first(String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Percent-decoding with '+' as a space, over bytes read as Latin-1, then strict UTF-8. */
    private static String decode(String encoded) {
        ByteBuffer bytes = ByteBuffer.allocate(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '+') {
                bytes.put((byte) ' ');
            } else if (c == '%') {
                int high = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(encoded.charAt(i + 2), 16);
                if (low < 0) {
                    throw invalid("the form body has a '%' that is not followed by two hex digits");
                }
                bytes.put((byte) (high << 4 | low));
                i += 2;
            } else {
                bytes.put((byte) c);
            }
        }
        bytes.flip();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw invalid("the form body is not UTF-8");
        }
    }

    private static String printable(String name) {
        return name.length() > 40 ? name.substring(0, 40) + "…" : name.replace('\0', '?');
    }

    private static ApiException invalid(String message) {
        return ApiException.badRequest("invalid_form", message);
    }
}
