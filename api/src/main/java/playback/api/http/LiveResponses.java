package playback.api.http;

import io.vertx.core.http.HttpClientResponse;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.RestResponse;
import playback.api.client.LiveAudioClient;

import java.util.regex.Pattern;

/**
 * The answer to a signed stream URL of a recording still downloading, relayed from the worker receiving
 * it: its status (200, 206, 416), type, length or range, {@code Accept-Ranges} when it has a length,
 * {@code Cache-Control: no-store}, and no validators (the bytes are not final until the recording is).
 */
final class LiveResponses {

    /** A single byte range, as the worker honours it: anything else gets the whole recording. */
    private static final Pattern SINGLE_RANGE = Pattern.compile("bytes=(\\d+-\\d*|-\\d+)");
    private static final String[] RELAYED_HEADERS = {HttpHeaders.CONTENT_TYPE, "Content-Range", "Accept-Ranges"};

    private LiveResponses() {
    }

    /**
     * The range to ask the worker for: a single one; none for several (the whole recording), nor under
     * {@code If-Range}, whose validator a recording still downloading has none to match.
     */
    static String forwardedRange(String range, String ifRange) {
        if (range == null || ifRange != null) {
            return null;
        }
        String trimmed = range.trim();
        return SINGLE_RANGE.matcher(trimmed).matches() ? trimmed : null;
    }

    /** The listener's answer; a HEAD lets go of the worker's answer at once, having its headers. */
    static RestResponse<Object> relay(LiveAudioClient.Answer worker, boolean head) {
        HttpClientResponse upstream = worker.response();
        RestResponse.ResponseBuilder<Object> response = RestResponse.ResponseBuilder.create(upstream.statusCode());
        for (String name : RELAYED_HEADERS) {
            String value = upstream.getHeader(name);
            if (value != null) {
                response.header(name, value);
            }
        }
        response.header(HttpHeaders.CACHE_CONTROL, "no-store");
        Long length = length(upstream.getHeader(HttpHeaders.CONTENT_LENGTH));
        if (head) {
            worker.discard();
            if (length != null) {
                response.header(HttpHeaders.CONTENT_LENGTH, length);
            }
        } else {
            response.entity(new LiveBody(worker, length));
        }
        return response.build();
    }

    private static Long length(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
