package playback.api.service;

/**
 * A Play as the decision needs it: the recording, who asks, whether a person asked for it
 * ({@code explicit_user_action}), whether the bytes of a recording still downloading may answer it
 * ({@code relay}), and whether the cache may answer it.
 */
public record PlayRequest(String callSid, Access access, boolean explicit, boolean relay, boolean cache) {

    /** Who asks: a business's user (its bearer token verified), or the holder of a signed stream URL. */
    public sealed interface Access {
    }

    public record Bearer(long businessId) implements Access {
    }

    /** The token alone authorises, for its one recording, until it expires. */
    public record Signed(String token) implements Access {
    }

    /** The same Play decided again by PostgreSQL alone: no cache, no relay. */
    public PlayRequest fromDatabase() {
        return new PlayRequest(callSid, access, explicit, false, false);
    }
}
