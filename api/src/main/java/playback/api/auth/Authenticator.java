package playback.api.auth;

import jakarta.enterprise.context.ApplicationScoped;

/** Turns an Authorization header into a caller, or answers 401; a caller without a required role gets 403. */
@ApplicationScoped
public class Authenticator {

    private static final String BEARER = "Bearer ";

    private final JwtService jwt;

    public Authenticator(JwtService jwt) {
        this.jwt = jwt;
    }

    public Caller authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new Unauthenticated("a bearer token is required");
        }
        return jwt.verify(authorization.substring(BEARER.length()).trim());
    }

    /** The caller, when the token grants the role. */
    public Caller requireRole(String authorization, Role role) {
        Caller caller = authenticate(authorization);
        if (!caller.has(role)) {
            throw new Forbidden("the operations role is required");
        }
        return caller;
    }
}
