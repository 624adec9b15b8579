package playback.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The unauthenticated control plane under /sim: scripts, stats, reset, health. It lives on the API
 * port, outside the /2010-04-01 namespace, so a test needs only one base URL.
 */
final class ControlHandler implements Http.Handler {

    private static final String RECORDINGS = "/sim/recordings/";

    private final Scripts scripts;
    private final Stats stats;

    ControlHandler(Scripts scripts, Stats stats) {
        this.scripts = scripts;
        this.stats = stats;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (path.startsWith(RECORDINGS)) {
            recording(exchange, method, path.substring(RECORDINGS.length()));
            return;
        }
        switch (path) {
            case "/sim/health" -> {
                if (allowed(exchange, "GET")) {
                    Http.json(exchange, 200, Map.of("status", "UP"));
                }
            }
            case "/sim/stats" -> {
                if (allowed(exchange, "GET")) {
                    Http.json(exchange, 200, stats.snapshot());
                }
            }
            case "/sim/reset" -> {
                if (allowed(exchange, "POST")) {
                    Http.body(exchange);
                    if ("true".equals(Http.query(exchange).get("keep_scripts"))) {
                        scripts.resetCounters();
                    } else {
                        scripts.clear();
                    }
                    stats.reset();
                    Http.status(exchange, 204);
                }
            }
            default -> Http.error(exchange, 404, "not_found", "no simulator endpoint " + path);
        }
    }

    private void recording(HttpExchange exchange, String method, String recordingSid) throws IOException {
        if (!ApiHandler.RECORDING_SID.matcher(recordingSid).matches()) {
            Http.error(exchange, 404, "not_found", "a recording SID is RE followed by 32 hex digits");
            return;
        }
        if ("GET".equals(method)) {
            Http.json(exchange, 200, scripts.get(recordingSid));
        } else if (allowed(exchange, "GET, POST")) {
            byte[] body = Http.body(exchange);
            Script script;
            try {
                // An empty body is an empty script: every field has a default.
                script = body.length == 0 ? Script.DEFAULTS : Http.JSON.readValue(body, Script.class);
            } catch (JsonProcessingException e) {
                Http.error(exchange, 400, "invalid_script", rootMessage(e));
                return;
            }
            if (script == null) {
                script = Script.DEFAULTS; // the JSON literal null
            }
            scripts.put(recordingSid, script);
            Http.status(exchange, 204);
        }
    }

    /** True when the method is the allowed one (or one of them); otherwise answers 405. */
    private static boolean allowed(HttpExchange exchange, String allow) throws IOException {
        if (List.of(allow.split(", ")).contains(exchange.getRequestMethod())) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", allow);
        Http.error(exchange, 405, "method_not_allowed", exchange.getRequestMethod() + " is not allowed here");
        return false;
    }

    /** Jackson wraps our own validation messages; show the innermost one, without source locations. */
    private static String rootMessage(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown field \"" + unknown.getPropertyName() + "\"";
        }
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof JsonProcessingException json ? json.getOriginalMessage() : cause.getMessage();
    }
}
