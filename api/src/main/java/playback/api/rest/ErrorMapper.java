package playback.api.rest;

import io.quarkus.logging.Log;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error becomes {"error": code, "message": text}; nothing leaks a stack trace. */
public class ErrorMapper {

    @ServerExceptionMapper
    public Response apiError(ApiException e) {
        Response.ResponseBuilder response = Response.status(e.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(e.code(), e.getMessage()));
        if (e.status() == 401) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (e.retryAfter() != null) {
            response.header(HttpHeaders.RETRY_AFTER, Math.max(1, e.retryAfter().toSeconds()));
        }
        return response.build();
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> httpError(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String code = switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "http_" + status;
        };
        String message = status >= 500 ? "internal error" : Response.Status.fromStatusCode(status) == null
                ? "request refused" : Response.Status.fromStatusCode(status).getReasonPhrase();
        return RestResponse.ResponseBuilder.<ErrorBody>create(status).entity(new ErrorBody(code, message))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    @ServerExceptionMapper
    public RestResponse<ErrorBody> unexpected(Exception e) {
        Log.errorf(e, "unexpected error");
        return RestResponse.ResponseBuilder.<ErrorBody>create(500).entity(new ErrorBody("internal_error", "internal error"))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
