package playback.api.auth;

/** The caller is authenticated but lacks the role; the rest layer answers 403 with this message. */
public class Forbidden extends RuntimeException {

    public Forbidden(String message) {
        super(message, null, false, false);
    }
}
