package playback.api.http;

/**
 * What a request for a recording's bytes asks of the answer: HEAD or GET, a download (an attachment) or
 * a stream, and its range and conditional headers, as sent.
 */
public record RecordingRequest(boolean head, boolean attachment, String range, String ifMatch, String ifRange,
                               String ifNoneMatch, String ifModifiedSince) {

    /** Several ranges: their parts are read one after the other. */
    public boolean multipart() {
        return range != null && range.indexOf(',') >= 0;
    }

    /**
     * Whether a recording still downloading may answer it: an {@code If-Match} naming an entity tag wants
     * a stored version, which such a recording does not have yet; the request then gets the stored
     * state's answer.
     */
    public boolean acceptsUnstoredBytes() {
        return ifMatch == null || ifMatch.trim().equals("*");
    }
}
