package playback.proof;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static playback.proof.Checks.check;
import static playback.proof.Playback.json;
import static playback.proof.Playback.list;
import static playback.proof.Playback.map;

/** Prometheus of the monitoring profile, through its HTTP API on the published port. */
final class Prometheus {

    private final String url;
    private final Playback http;

    Prometheus(Settings settings, Playback http) {
        this.url = settings.prometheus();
        this.http = http;
    }

    /** Prometheus's active targets of a job, by address: their health (up, down, unknown). */
    Map<String, String> targets(String job) {
        Map<String, String> health = new TreeMap<>();
        Map<String, Object> data = map(api("/api/v1/targets?state=active"));
        for (Map<String, Object> target : list(data.get("activeTargets"))) {
            Map<String, Object> labels = map(target.get("labels"));
            if (job.equals(labels.get("job")) && job.equals(labels.get("service"))) {
                health.put(host((String) labels.get("instance")), (String) target.get("health"));
            }
        }
        return health;
    }

    /** An instant query's samples, by the address of their instance ("" for a series without one). */
    Map<String, String> values(String query) {
        Map<String, String> values = new TreeMap<>();
        Map<String, Object> data = map(api("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)));
        for (Map<String, Object> sample : list(data.get("result"))) {
            Object instance = map(sample.get("metric")).get("instance");
            values.put(instance == null ? "" : host((String) instance), String.valueOf(((List<?>) sample.get("value")).get(1)));
        }
        return values;
    }

    /** The names of the metrics Prometheus has scraped from a job's targets. */
    Set<String> metricNames(String job) {
        Map<String, Object> answer = map(json(http.get(url + "/api/v1/label/__name__/values?match[]="
                + URLEncoder.encode("{job=\"" + job + "\"}", StandardCharsets.UTF_8), null).body()));
        check("success".equals(answer.get("status")), "Prometheus: " + answer);
        return ((List<?>) answer.get("data")).stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new));
    }

    static double total(Map<String, String> values) {
        return values.values().stream().mapToDouble(Double::parseDouble).sum();
    }

    private Object api(String path) {
        HttpResponse<String> response = http.get(url + path, null);
        check(response.statusCode() == 200, "Prometheus " + path + ": " + response.statusCode() + " " + response.body());
        return map(json(response.body())).get("data");
    }

    private static String host(String instance) {
        return instance.substring(0, instance.lastIndexOf(':'));
    }
}
