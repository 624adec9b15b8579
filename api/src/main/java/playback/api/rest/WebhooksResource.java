package playback.api.rest;

import io.quarkus.logging.Log;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.RestResponse;
import playback.api.auth.TwilioSignature;
import playback.api.config.ApiConfig;
import playback.api.service.CallService;
import playback.model.Business;
import playback.model.Sids;

import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;

/** Twilio-compatible status callbacks: how calls and recordings arrive. Signed, idempotent. */
@Path("/api/webhooks/twilio")
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class WebhooksResource {

    private static final Set<String> DIRECTIONS = Set.of("inbound", "outbound", "outbound-api", "outbound-dial");

    private final TwilioSignature signature;
    private final CallService calls;
    private final ApiConfig config;

    public WebhooksResource(TwilioSignature signature, CallService calls, ApiConfig config) {
        this.signature = signature;
        this.calls = calls;
        this.config = config;
    }

    @POST
    @Path("call-status")
    public RestResponse<Void> callStatus(@HeaderParam("X-Twilio-Signature") String signed, @Context UriInfo uri,
                                         MultivaluedMap<String, String> form) {
        Business business = verify(signed, uri, form);
        String callSid = requireSid(form, "CallSid", Sids.isCallSid(form.getFirst("CallSid")));
        Integer duration = optionalInt(form, "CallDuration");
        Instant at = optionalTime(form.getFirst("Timestamp"));
        Instant startedAt = duration != null && "completed".equals(form.getFirst("CallStatus"))
                ? at.minusSeconds(duration) : at;
        String direction = form.getFirst("Direction");
        if (direction != null && !DIRECTIONS.contains(direction.toLowerCase(Locale.ROOT))) {
            throw ApiException.badRequest("invalid_parameter", "Direction is not a Twilio call direction");
        }
        calls.recordCall(business.id, new CallService.CallEvent(callSid,
                direction == null ? null : direction.toLowerCase(Locale.ROOT), form.getFirst("From"),
                form.getFirst("To"), form.getFirst("CallStatus"), startedAt, duration));
        Log.debugf("call-status %s for call %s", form.getFirst("CallStatus"), callSid);
        return RestResponse.noContent();
    }

    @POST
    @Path("recording-status")
    public RestResponse<Void> recordingStatus(@HeaderParam("X-Twilio-Signature") String signed, @Context UriInfo uri,
                                              MultivaluedMap<String, String> form) {
        Business business = verify(signed, uri, form);
        String callSid = requireSid(form, "CallSid", Sids.isCallSid(form.getFirst("CallSid")));
        String recordingSid = requireSid(form, "RecordingSid", Sids.isRecordingSid(form.getFirst("RecordingSid")));
        String status = form.getFirst("RecordingStatus");
        if (status == null || status.isBlank()) {
            throw ApiException.badRequest("invalid_parameter", "RecordingStatus is required");
        }
        calls.recordRecording(business.id, new CallService.RecordingEvent(callSid, recordingSid,
                form.getFirst("RecordingUrl"), status, optionalInt(form, "RecordingDuration"),
                optionalInt(form, "RecordingChannels")));
        Log.debugf("recording-status %s for call %s", status, callSid);
        return RestResponse.noContent();
    }

    /** 403 unless signed with the provider auth token; 404 for an account no business has. */
    private Business verify(String signed, UriInfo uri, MultivaluedMap<String, String> form) {
        if (!signature.matches(signed, publicUrl(uri), form)) {
            throw ApiException.forbidden("invalid_signature", "X-Twilio-Signature does not match the request");
        }
        String accountSid = form.getFirst("AccountSid");
        if (!Sids.isAccountSid(accountSid)) {
            throw ApiException.badRequest("invalid_sid", "AccountSid is AC followed by 32 hex digits");
        }
        return calls.businessByAccount(accountSid)
                .orElseThrow(() -> ApiException.notFound("unknown_account", "no business has this account"));
    }

    /** The URL the provider signed: the configured public base, or this request's own. */
    private String publicUrl(UriInfo uri) {
        URI request = uri.getRequestUri();
        return config.webhooks().publicBaseUrl()
                .map(base -> base.replaceAll("/+$", "") + request.getRawPath()
                        + (request.getRawQuery() == null ? "" : "?" + request.getRawQuery()))
                .orElse(request.toString());
    }

    private static String requireSid(MultivaluedMap<String, String> form, String name, boolean valid) {
        if (!valid) {
            throw ApiException.badRequest("invalid_sid", name + " is missing or not a valid SID");
        }
        return form.getFirst(name);
    }

    private static Integer optionalInt(MultivaluedMap<String, String> form, String name) {
        String value = form.getFirst(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest("invalid_parameter", name + " must be a non-negative integer");
    }

    /** Twilio sends RFC 2822 dates; ISO-8601 is accepted too; absent means now. */
    private static Instant optionalTime(String value) {
        if (value == null || value.isBlank()) {
            return Instant.now();
        }
        try {
            return Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(value.trim()));
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(value.trim());
            } catch (DateTimeParseException e2) {
                throw ApiException.badRequest("invalid_parameter", "Timestamp is not an RFC 2822 or ISO-8601 date");
            }
        }
    }
}
