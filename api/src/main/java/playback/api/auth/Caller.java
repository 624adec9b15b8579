package playback.api.auth;

/** Who is asking: a user of one business (the tenant). */
public record Caller(String user, long businessId) {
}
