package playback.api.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import playback.api.auth.Authenticator;
import playback.api.auth.Caller;
import playback.api.service.CallService;
import playback.model.CallLog;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Recent calls. Listing never enqueues a download. */
@Path("/api/calls")
@Produces(MediaType.APPLICATION_JSON)
public class CallsResource {

    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 200;

    private final Authenticator authenticator;
    private final CallService calls;

    public CallsResource(Authenticator authenticator, CallService calls) {
        this.authenticator = authenticator;
        this.calls = calls;
    }

    @GET
    @APIResponse(responseCode = "200", description = "recent calls, newest first")
    @APIResponse(responseCode = "400", description = "invalid limit or cursor")
    @APIResponse(responseCode = "401", description = "no valid bearer token")
    @APIResponse(responseCode = "503", description = "PostgreSQL or Redis unavailable; Retry-After")
    public CallPage list(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                         @QueryParam("limit") String limit, @QueryParam("cursor") String cursor) {
        Caller caller = authenticator.authenticate(authorization);
        Optional<CallService.Cursor> after = Optional.empty();
        if (cursor != null && !cursor.isEmpty()) {
            after = Optional.of(CallService.Cursor.decode(cursor)
                    .orElseThrow(() -> ApiException.badRequest("invalid_cursor", "cursor is not one this API issued")));
        }
        CallService.Page page = calls.recent(caller.businessId(), parseLimit(limit), after);
        return new CallPage(page.items().stream().map(CallsResource::view).toList(),
                page.next().map(CallService.Cursor::encode).orElse(null));
    }

    private static int parseLimit(String limit) {
        if (limit == null || limit.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest("invalid_limit", "limit must be an integer from 1 to " + MAX_LIMIT);
    }

    private static CallView view(CallLog call) {
        RecordingSummary recording = call.hasPlayableRecording()
                ? new RecordingSummary(call.recordingSid, call.recordingDurationSeconds, call.downloadStatus.wire(),
                call.sizeBytes)
                : null;
        return new CallView(call.callSid, call.direction, call.fromNumber, call.toNumber, call.startedAt,
                call.durationSeconds, recording);
    }

    public record CallPage(List<CallView> items, String nextCursor) {
    }

    public record CallView(String callSid, String direction, String from, String to, Instant startedAt,
                           Integer durationSeconds, RecordingSummary recording) {
    }

    public record RecordingSummary(String recordingSid, Integer durationSeconds, String status, Long sizeBytes) {
    }
}
