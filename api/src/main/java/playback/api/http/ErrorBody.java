package playback.api.http;

/** The body of every error answer. */
public record ErrorBody(String error, String message) {
}
