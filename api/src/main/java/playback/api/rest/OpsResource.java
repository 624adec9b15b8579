package playback.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;
import playback.api.auth.Authenticator;
import playback.api.auth.Caller;
import playback.api.auth.Role;
import playback.api.service.OpsService;
import playback.api.service.RecordingStatusView;
import playback.controls.BusinessControls;
import playback.model.Sids;

import java.util.List;
import java.util.Optional;

/**
 * The operations API (platform staff, every business): the overview, pause and resume, a business's
 * slot limit and prefetch policy, retry a recording now, and the audit trail. Every endpoint needs the {@code ops} role.
 */
@Path("/api/ops")
@Produces(MediaType.APPLICATION_JSON)
public class OpsResource {

    private static final int DEFAULT_AUDIT_LIMIT = 50;
    private static final int MAX_AUDIT_LIMIT = 200;

    private final Authenticator authenticator;
    private final OpsService ops;
    private final ObjectMapper json;

    public OpsResource(Authenticator authenticator, OpsService ops, ObjectMapper json) {
        this.authenticator = authenticator;
        this.ops = ops;
        this.json = json;
    }

    @GET
    @Path("overview")
    @APIResponse(responseCode = "200", description = "the overview")
    @APIResponse(responseCode = "401", description = "no valid bearer token")
    @APIResponse(responseCode = "403", description = "the operations role is required")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public OpsService.Overview overview(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        operator(authorization);
        return ops.overview();
    }

    @GET
    @Path("audit")
    @APIResponse(responseCode = "200", description = "the audit trail, newest first")
    @APIResponse(responseCode = "400", description = "invalid limit")
    @APIResponse(responseCode = "401", description = "no valid bearer token")
    @APIResponse(responseCode = "403", description = "the operations role is required")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public AuditPage audit(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                           @QueryParam("limit") String limit) {
        operator(authorization);
        return new AuditPage(ops.audit(parseLimit(limit)));
    }

    @POST
    @Path("businesses/{id}/pause")
    @APIResponse(responseCode = "200", description = "the business, paused")
    @APIResponse(responseCode = "401", description = "no valid bearer token")
    @APIResponse(responseCode = "403", description = "the operations role is required")
    @APIResponse(responseCode = "404", description = "no such business")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public OpsService.BusinessEntry pause(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                          @PathParam("id") String id) {
        Caller caller = operator(authorization);
        return ops.pause(businessId(id), caller.user()).orElseThrow(OpsResource::unknownBusiness);
    }

    @POST
    @Path("businesses/{id}/resume")
    @APIResponse(responseCode = "200", description = "the business, resumed")
    @APIResponse(responseCode = "401", description = "no valid bearer token")
    @APIResponse(responseCode = "403", description = "the operations role is required")
    @APIResponse(responseCode = "404", description = "no such business")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public OpsService.BusinessEntry resume(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                           @PathParam("id") String id) {
        Caller caller = operator(authorization);
        return ops.resume(businessId(id), caller.user()).orElseThrow(OpsResource::unknownBusiness);
    }

    /** {@code {"limit": 1..100}}, or {@code {"limit": null}} for the default. */
    @PUT
    @Path("businesses/{id}/limit")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "the business, with its limit")
    @APIResponse(responseCode = "400", description = "invalid body")
    @APIResponse(responseCode = "401", description = "no valid bearer token")
    @APIResponse(responseCode = "403", description = "the operations role is required")
    @APIResponse(responseCode = "404", description = "no such business")
    @APIResponse(responseCode = "415", description = "not JSON")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public OpsService.BusinessEntry limit(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                          @PathParam("id") String id, byte[] body) {
        Caller caller = operator(authorization);
        long businessId = businessId(id);
        return ops.setLimit(businessId, parseLimitBody(body), caller.user()).orElseThrow(OpsResource::unknownBusiness);
    }

    /** A business's prefetch policy: {@code {"hours": 24, "daily_max_count": 500}}, or {@code {"hours": null}} for off. */
    @PUT
    @Path("businesses/{id}/prefetch")
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "200", description = "the prefetch policy")
    @APIResponse(responseCode = "400", description = "invalid body")
    @APIResponse(responseCode = "401", description = "no valid bearer token")
    @APIResponse(responseCode = "403", description = "the operations role is required")
    @APIResponse(responseCode = "404", description = "no such business")
    @APIResponse(responseCode = "415", description = "not JSON")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public PrefetchView prefetch(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                 @PathParam("id") String id, byte[] body) {
        Caller caller = operator(authorization);
        long businessId = businessId(id);
        Optional<BusinessControls.Prefetch> policy = parsePrefetchBody(body);
        if (!ops.setPrefetch(businessId, policy, caller.user())) {
            throw unknownBusiness();
        }
        return PrefetchView.of(businessId, policy);
    }

    @GET
    @Path("businesses/{id}/prefetch")
    @APIResponse(responseCode = "200", description = "the prefetch policy")
    @APIResponse(responseCode = "401", description = "no valid bearer token")
    @APIResponse(responseCode = "403", description = "the operations role is required")
    @APIResponse(responseCode = "404", description = "no such business")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public PrefetchView prefetchPolicy(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                       @PathParam("id") String id) {
        operator(authorization);
        long businessId = businessId(id);
        return PrefetchView.of(businessId, ops.prefetch(businessId).orElseThrow(OpsResource::unknownBusiness));
    }

    /** A business's prefetch policy as the API shows it: {@code prefetch} null when off. */
    public record PrefetchView(long businessId, OpsService.Prefetch prefetch) {

        static PrefetchView of(long businessId, Optional<BusinessControls.Prefetch> policy) {
            return new PrefetchView(businessId, policy.map(OpsService.Prefetch::of).orElse(null));
        }
    }

    @POST
    @Path("businesses/{id}/recordings/{callSid}/retry")
    @APIResponse(responseCode = "202", description = "retried: the recording's status")
    @APIResponse(responseCode = "400", description = "invalid call SID")
    @APIResponse(responseCode = "401", description = "no valid bearer token")
    @APIResponse(responseCode = "403", description = "the operations role is required")
    @APIResponse(responseCode = "404", description = "no such business, or no such call with a completed recording")
    @APIResponse(responseCode = "409", description = "only a failed recording, or a queued one waiting for its retry, can be retried now")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public RestResponse<RecordingStatusView> retry(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                                   @PathParam("id") String id, @PathParam("callSid") String callSid) {
        Caller caller = operator(authorization);
        long businessId = businessId(id);
        if (!Sids.isCallSid(callSid)) {
            throw ApiException.badRequest("invalid_sid", "a call SID is CA followed by 32 hex digits");
        }
        OpsService.RetryOutcome outcome = ops.retry(businessId, callSid, caller.user());
        if (outcome instanceof OpsService.Retried retried) {
            return RestResponse.ResponseBuilder.<RecordingStatusView>create(RestResponse.Status.ACCEPTED)
                    .entity(retried.status()).build();
        }
        if (outcome instanceof OpsService.UnknownBusiness) {
            throw unknownBusiness();
        }
        if (outcome instanceof OpsService.UnknownCall) {
            throw ApiException.notFound("not_found", "no such call with a completed recording");
        }
        throw new ApiException(409, "not_retryable",
                "only a failed recording, or a queued one waiting for its retry, can be retried now");
    }

    public record AuditPage(List<OpsService.AuditEntry> items) {
    }

    private Caller operator(String authorization) {
        return authenticator.requireRole(authorization, Role.OPS);
    }

    private static long businessId(String id) {
        try {
            long value = Long.parseLong(id);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // answered below, as any business we do not have
        }
        throw unknownBusiness();
    }

    private static ApiException unknownBusiness() {
        return ApiException.notFound("unknown_business", "no business with this id");
    }

    private Integer parseLimitBody(byte[] body) {
        JsonNode request;
        try {
            request = JsonBody.read(json, body, JsonNode.class);
        } catch (ApiException e) {
            throw ApiException.badRequest("invalid_body", e.getMessage());
        }
        String expected = "the body is {\"limit\": 1.." + BusinessControls.MAX_LIMIT + "} or {\"limit\": null}";
        if (request == null || !request.isObject() || !request.has("limit") || request.size() != 1) {
            throw ApiException.badRequest("invalid_body", expected);
        }
        JsonNode limit = request.get("limit");
        if (limit.isNull()) {
            return null;
        }
        if (!limit.isIntegralNumber() || !limit.canConvertToInt() || limit.intValue() < 1
                || limit.intValue() > BusinessControls.MAX_LIMIT) {
            throw ApiException.badRequest("invalid_body", expected);
        }
        return limit.intValue();
    }

    private Optional<BusinessControls.Prefetch> parsePrefetchBody(byte[] body) {
        JsonNode request;
        try {
            request = JsonBody.read(json, body, JsonNode.class);
        } catch (ApiException e) {
            throw ApiException.badRequest("invalid_body", e.getMessage());
        }
        String expected = "the body is {\"hours\": 1.." + BusinessControls.Prefetch.MAX_HOURS
                + ", \"daily_max_count\": null or at least 1} or {\"hours\": null}";
        if (request == null || !request.isObject() || !request.has("hours")) {
            throw ApiException.badRequest("invalid_body", expected);
        }
        request.fieldNames().forEachRemaining(field -> {
            if (!field.equals("hours") && !field.equals("daily_max_count")) {
                throw ApiException.badRequest("invalid_body", expected);
            }
        });
        JsonNode hours = request.get("hours");
        JsonNode cap = request.path("daily_max_count");
        if (hours.isNull()) {
            if (!cap.isMissingNode() && !cap.isNull()) {
                throw ApiException.badRequest("invalid_body", expected);
            }
            return Optional.empty();
        }
        if (!hours.isIntegralNumber() || !hours.canConvertToInt()
                || (!cap.isMissingNode() && !cap.isNull() && (!cap.isIntegralNumber() || !cap.canConvertToInt()))) {
            throw ApiException.badRequest("invalid_body", expected);
        }
        try {
            return Optional.of(new BusinessControls.Prefetch(hours.intValue(),
                    cap.isMissingNode() || cap.isNull() ? null : cap.intValue()));
        } catch (IllegalArgumentException outOfRange) {
            throw ApiException.badRequest("invalid_body", expected);
        }
    }

    private static int parseLimit(String limit) {
        if (limit == null || limit.isEmpty()) {
            return DEFAULT_AUDIT_LIMIT;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= MAX_AUDIT_LIMIT) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest("invalid_limit", "limit must be an integer from 1 to " + MAX_AUDIT_LIMIT);
    }
}
