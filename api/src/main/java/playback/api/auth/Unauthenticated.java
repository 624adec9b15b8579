package playback.api.auth;

/** The caller could not be authenticated; the rest layer answers 401 with this message. */
public class Unauthenticated extends RuntimeException {

    public Unauthenticated(String message) {
        super(message, null, false, false);
    }
}
