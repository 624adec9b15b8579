package playback.api.rest;

import io.quarkus.logging.Log;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;
import playback.api.auth.TwilioSignature;
import playback.api.config.ApiConfig;
import playback.api.service.CallService;
import playback.lifecycle.RecordingReports;
import playback.model.Business;
import playback.model.CallTime;
import playback.model.Sids;

import java.io.InputStream;
import java.net.URI;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Twilio-compatible status callbacks: how calls and recordings arrive. Signed, idempotent. A call the
 * provider may send is never refused for its content: phone numbers, SIP URIs, client identities,
 * directions and statuses are stored as sent; only what cannot be a provider's request (a bad signature,
 * a broken body, an invalid SID, a number or date out of range) is refused, before anything is written.
 */
@Path("/api/webhooks/twilio")
@Consumes(MediaType.APPLICATION_FORM_URLENCODED)
public class WebhooksResource {

    /** What the provider sends as a duration it does not know yet (a recording in progress). */
    private static final int UNKNOWN_YET = -1;

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
    @APIResponse(responseCode = "204", description = "recorded")
    @APIResponse(responseCode = "400", description = "a form, SID, number or date the provider cannot have sent")
    @APIResponse(responseCode = "403", description = "X-Twilio-Signature does not match")
    @APIResponse(responseCode = "404", description = "no business has this account")
    @APIResponse(responseCode = "413", description = "a body over 64 KiB")
    @APIResponse(responseCode = "415", description = "not a form")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public RestResponse<Void> callStatus(@HeaderParam("X-Twilio-Signature") String signed, @Context UriInfo uri,
                                         InputStream body) {
        WebhookForm form = WebhookForm.read(body);
        Business business = verify(signed, uri, form);
        String callSid = requireSid(form, "CallSid", Sids.isCallSid(form.first("CallSid")));
        Integer duration = optionalInt(form, "CallDuration");
        Instant at = optionalTime(form.first("Timestamp"));
        Instant startedAt = duration != null && "completed".equals(form.first("CallStatus"))
                ? at.minusSeconds(duration) : at;
        if (!CallTime.isStorable(startedAt)) {
            throw ApiException.badRequest("invalid_parameter", "Timestamp minus CallDuration is before the year 1");
        }
        String direction = form.first("Direction");
        calls.recordCall(business.id, new CallService.CallEvent(callSid,
                direction == null ? null : direction.toLowerCase(Locale.ROOT), form.first("From"),
                form.first("To"), form.first("CallStatus"), startedAt, duration));
        Log.debugf("call-status %s for call %s", form.first("CallStatus"), callSid);
        return RestResponse.noContent();
    }

    @POST
    @Path("recording-status")
    @APIResponse(responseCode = "204", description = "recorded")
    @APIResponse(responseCode = "400", description = "a form, SID, number or date the provider cannot have sent")
    @APIResponse(responseCode = "403", description = "X-Twilio-Signature does not match")
    @APIResponse(responseCode = "404", description = "no business has this account")
    @APIResponse(responseCode = "413", description = "a body over 64 KiB")
    @APIResponse(responseCode = "415", description = "not a form")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public RestResponse<Void> recordingStatus(@HeaderParam("X-Twilio-Signature") String signed, @Context UriInfo uri,
                                              InputStream body) {
        WebhookForm form = WebhookForm.read(body);
        Business business = verify(signed, uri, form);
        String callSid = requireSid(form, "CallSid", Sids.isCallSid(form.first("CallSid")));
        String recordingSid = requireSid(form, "RecordingSid", Sids.isRecordingSid(form.first("RecordingSid")));
        String status = form.first("RecordingStatus");
        if (status == null || status.isBlank()) {
            throw ApiException.badRequest("invalid_parameter", "RecordingStatus is required");
        }
        calls.recordRecording(business.id, new RecordingReports.ReportedRecording(callSid, recordingSid,
                form.first("RecordingUrl"), status, optionalInt(form, "RecordingDuration"),
                optionalInt(form, "RecordingChannels")));
        Log.debugf("recording-status %s for call %s", status, callSid);
        return RestResponse.noContent();
    }

    /** 403 unless signed with the provider auth token; 404 for an account no business has. */
    private Business verify(String signed, UriInfo uri, WebhookForm form) {
        if (!signature.matches(signed, publicUrl(uri), form.parameters())) {
            throw ApiException.forbidden("invalid_signature", "X-Twilio-Signature does not match the request");
        }
        String accountSid = form.first("AccountSid");
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

    private static String requireSid(WebhookForm form, String name, boolean valid) {
        if (!valid) {
            throw ApiException.badRequest("invalid_sid", name + " is missing or not a valid SID");
        }
        return form.first(name);
    }

    private static Integer optionalInt(WebhookForm form, String name) {
        String value = form.first(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= 0) {
                return parsed;
            }
            if (parsed == UNKNOWN_YET) {
                return null;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest("invalid_parameter", name + " must be a non-negative integer (or -1: not known yet)");
    }

    /**
     * Twilio sends RFC 2822 dates; ISO-8601 is accepted too; absent means now. Years outside 1..9999 are
     * refused ({@link CallTime}).
     */
    private static Instant optionalTime(String value) {
        if (value == null || value.isBlank()) {
            return Instant.now();
        }
        Instant parsed;
        try {
            parsed = Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(value.trim()));
        } catch (DateTimeException e) {
            try {
                parsed = Instant.parse(value.trim());
            } catch (DateTimeParseException e2) {
                throw ApiException.badRequest("invalid_parameter", "Timestamp is not an RFC 2822 or ISO-8601 date");
            }
        }
        if (!CallTime.isStorable(parsed)) {
            throw ApiException.badRequest("invalid_parameter", "Timestamp is outside the years 1 to 9999");
        }
        return parsed;
    }
}
