package playback.api.http;

import io.quarkus.arc.Arc;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The methods each path of the api answers, read once from the resource classes' annotations, for the
 * {@code Allow} header of a 405 (RFC 9110 15.5.6): the framework answers OPTIONS with it but sends a 405
 * without one.
 */
public final class AllowedMethods {

    private record Route(Pattern path, String method) {
    }

    private static volatile List<Route> routes;

    private AllowedMethods() {
    }

    /** The methods allowed on a path, HEAD with GET and OPTIONS always, as an Allow header value. */
    public static String forPath(String path) {
        Set<String> methods = new TreeSet<>();
        String normalized = "/" + path.replaceAll("^/+|/+$", "");
        for (Route route : routes()) {
            if (route.path().matcher(normalized).matches()) {
                methods.add(route.method());
                if (route.method().equals(HttpMethod.GET)) {
                    methods.add(HttpMethod.HEAD);
                }
            }
        }
        if (methods.isEmpty()) {
            return null;
        }
        methods.add(HttpMethod.OPTIONS);
        return String.join(", ", methods);
    }

    private static List<Route> routes() {
        if (routes == null) {
            List<Route> found = new ArrayList<>();
            for (Bean<?> bean : Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE)) {
                Path base = bean.getBeanClass().getAnnotation(Path.class);
                if (base != null) {
                    for (Method method : bean.getBeanClass().getMethods()) {
                        String httpMethod = httpMethod(method);
                        if (httpMethod != null) {
                            Path sub = method.getAnnotation(Path.class);
                            found.add(new Route(template(base.value() + "/" + (sub == null ? "" : sub.value())),
                                    httpMethod));
                        }
                    }
                }
            }
            routes = List.copyOf(found);
        }
        return routes;
    }

    private static String httpMethod(Method method) {
        for (var annotation : method.getAnnotations()) {
            HttpMethod designator = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (designator != null) {
                return designator.value();
            }
        }
        return null;
    }

    /** A JAX-RS path template ({@code /api/recordings/{callSid}/stream}) as a regular expression. */
    private static Pattern template(String template) {
        String normalized = "/" + template.replaceAll("/+", "/").replaceAll("^/+|/+$", "");
        StringBuilder regex = new StringBuilder();
        for (String part : normalized.split("(?=\\{)|(?<=})")) {
            regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
