package playback.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** The little HTTP plumbing the handlers share: JSON answers, errors, query strings, error safety. */
final class Http {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A handler that may throw; {@link #safe} turns that into a 500 and always closes the exchange. */
    interface Handler {
        void handle(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private Http() {
    }

    static HttpHandler safe(Handler handler) {
        return exchange -> {
            try {
                handler.handle(exchange);
            } catch (IOException e) {
                // the client went away; nothing to answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // shutting down
            } catch (RuntimeException e) {
                System.err.println("simulator: " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
                        + " failed: " + e);
                if (exchange.getResponseCode() == -1) {
                    try {
                        error(exchange, 500, "internal_error", String.valueOf(e.getMessage()));
                    } catch (IOException ignored) {
                        // the client went away
                    }
                }
            } finally {
                exchange.close();
            }
        };
    }

    static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The simulator's own error shape: {"error":"code","message":"text"}. */
    static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        Map<String, String> body = new HashMap<>();
        body.put("error", code);
        body.put("message", message);
        json(exchange, status, body);
    }

    /** A status without a body; -1 makes the JDK server send Content-Length: 0 (except on 204). */
    static void status(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
    }

    static String contentType(String extension) {
        return "wav".equals(extension) ? "audio/wav" : "audio/mpeg";
    }

    static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> values = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            values.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return values;
    }

    /** The whole request body (scripts are tiny). */
    static byte[] body(HttpExchange exchange) throws IOException {
        return exchange.getRequestBody().readAllBytes();
    }
}
