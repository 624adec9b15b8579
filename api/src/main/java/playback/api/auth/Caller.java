package playback.api.auth;

import java.util.Set;

/** Who is asking: a user of one business (the tenant), with the roles the token grants. */
public record Caller(String user, long businessId, Set<Role> roles) {

    public Caller {
        roles = Set.copyOf(roles);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }
}
