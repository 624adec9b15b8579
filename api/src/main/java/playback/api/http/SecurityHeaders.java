package playback.api.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Headers every answer carries, whoever writes it (resources, error mappers, 304s, the UI's static
 * files, health and metrics): browsers must not guess content types, and the UI's HTML may load
 * scripts, styles, images and audio from its own origin only and may not be framed. They are set
 * just before the response headers leave, so no handler can drop them.
 */
@ApplicationScoped
public class SecurityHeaders {

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; media-src 'self'; object-src 'none'; "
            + "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            context.addHeadersEndHandler(ignored -> {
                HttpServerResponse response = context.response();
                response.headers().set("X-Content-Type-Options", "nosniff");
                String type = response.headers().get("Content-Type");
                if (type != null && type.startsWith("text/html")) {
                    response.headers().set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
                }
            });
            context.next();
        });
    }
}
