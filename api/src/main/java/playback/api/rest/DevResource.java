package playback.api.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import playback.api.auth.JwtService;
import playback.api.auth.Role;
import org.jboss.resteasy.reactive.RestResponse;
import playback.api.config.ApiConfig;
import playback.api.service.DevService;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Dev auth for the demo and tests; answers 404 unless playback.dev-auth.enabled. */
@Path("/api/dev")
@Produces(MediaType.APPLICATION_JSON)
public class DevResource {

    private static final int MAX_USER_LENGTH = 256;

    private final ApiConfig config;
    private final JwtService jwt;
    private final DevService dev;
    private final ObjectMapper json;

    public DevResource(ApiConfig config, JwtService jwt, DevService dev, ObjectMapper json) {
        this.config = config;
        this.jwt = jwt;
        this.dev = dev;
        this.json = json;
    }

    @GET
    @Path("businesses")
    @APIResponse(responseCode = "200", description = "the businesses")
    @APIResponse(responseCode = "404", description = "dev auth is off")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public List<BusinessView> businesses() {
        requireEnabled();
        return dev.businesses().stream().map(b -> new BusinessView(b.id, b.name, b.accountSid)).toList();
    }

    @POST
    @Path("token")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "a signed token")
    @APIResponse(responseCode = "400", description = "invalid body")
    @APIResponse(responseCode = "404", description = "dev auth is off, or no such business")
    @APIResponse(responseCode = "415", description = "not JSON")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public TokenView token(byte[] body) {
        requireEnabled();
        TokenRequest request = JsonBody.read(json, body, TokenRequest.class);
        if (request == null || request.businessId() == null) {
            throw ApiException.badRequest("invalid_body", "business_id is required");
        }
        String user = request.user() == null || request.user().isBlank() ? "demo" : request.user().trim();
        if (user.length() > MAX_USER_LENGTH) {
            throw ApiException.badRequest("invalid_body", "user must be at most " + MAX_USER_LENGTH + " characters");
        }
        Set<Role> roles = roles(request.roles());
        if (!dev.businessExists(request.businessId())) {
            throw ApiException.notFound("unknown_business", "no business with this id");
        }
        JwtService.IssuedToken token = jwt.issue(user, request.businessId(), roles);
        return new TokenView(token.token(), token.expiresAt());
    }

    @POST
    @Path("reset")
    @APIResponse(responseCode = "204", description = "reset")
    @APIResponse(responseCode = "404", description = "dev auth is off")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public RestResponse<Void> reset() {
        requireEnabled();
        dev.reset();
        return RestResponse.noContent();
    }

    /** The roles asked for; one this version does not know is a bad request (a verifier ignores it, the issuer does not). */
    private static Set<Role> roles(List<String> names) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : names == null ? List.<String>of() : names) {
            roles.add(Role.fromWire(name).orElseThrow(() -> ApiException.badRequest("invalid_body",
                    "roles may contain only: " + Arrays.stream(Role.values()).map(Role::wire).toList())));
        }
        return roles;
    }

    private void requireEnabled() {
        if (!config.devAuth().enabled()) {
            throw ApiException.notFound("not_found", "Not Found");
        }
    }

    public record BusinessView(long id, String name, String accountSid) {
    }

    public record TokenRequest(Long businessId, String user, List<String> roles) {
    }

    public record TokenView(String token, Instant expiresAt) {
    }
}
