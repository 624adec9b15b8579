package playback.worker.provider;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import playback.model.FailureReason;
import playback.worker.config.WorkerConfig;
import playback.worker.metrics.DownloadMetrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Fetches a recording from the Twilio-compatible Recordings API into a file and proves it is audio.
 * Basic auth goes to the provider only: redirects (to signed storage URLs) are followed without it.
 */
@ApplicationScoped
public class ProviderClient {

    private static final int BUFFER = 64 * 1024;

    private final WorkerConfig.Provider config;
    private final HttpClient http;
    private final String authorization;
    private final DownloadMetrics metrics;

    public ProviderClient(WorkerConfig config, DownloadMetrics metrics) {
        this.config = config.provider();
        this.metrics = metrics;
        this.http = HttpClient.newBuilder()
                .connectTimeout(this.config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (this.config.accountSid() + ":" + this.config.authToken()).getBytes(StandardCharsets.UTF_8));
    }

    /** What was fetched: its format and size. */
    public record Fetched(AudioFormat format, long size) {
    }

    /** Receives bytes read so far and the announced total, and the moment the first bytes proved audio. */
    public interface Progress {
        void update(long bytes, Long total);

        /** The first bytes are audio of this format: the recording may be listened to as it arrives. */
        default void playable(AudioFormat format) {
        }
    }

    /**
     * Downloads a recording into target. A 404 is checked once more after a short wait before it is
     * called final (Twilio answers 404 briefly right after a recording completes). Traced as a child of
     * the download's span; a failure marks it as an error, with no stack trace (a classified failure has none).
     */
    @WithSpan(value = "provider fetch", kind = SpanKind.CLIENT)
    public Fetched fetch(String accountSid, String recordingSid, Path target, DownloadControl control,
                         Progress progress) throws DownloadFailure {
        URI uri = URI.create(config.baseUrl().replaceAll("/+$", "") + "/2010-04-01/Accounts/" + accountSid
                + "/Recordings/" + recordingSid + "." + config.format());
        try {
            return fetchOnce(uri, target, control, progress);
        } catch (DownloadFailure failure) {
            if (failure.reason() != FailureReason.PROVIDER_NOT_FOUND) {
                throw failure;
            }
            Log.debugf("provider answered 404 for %s; checking again in %s", recordingSid, config.notFoundRecheck());
            sleep(config.notFoundRecheck());
            return fetchOnce(uri, target, control, progress);
        }
    }

    private Fetched fetchOnce(URI uri, Path target, DownloadControl control, Progress progress)
            throws DownloadFailure {
        URI current = uri;
        for (int hop = 0; hop <= config.maxRedirects(); hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current).GET().timeout(config.readTimeout());
            if (hop == 0) {
                request.header("Authorization", authorization);
            }
            long started = System.nanoTime();
            HttpResponse<InputStream> response = send(request.build());
            int status = response.statusCode();
            metrics.providerAnswered(status);
            Log.debugf("GET %s -> %d in %d ms (%s)", current.getPath(), status,
                    (System.nanoTime() - started) / 1_000_000, response.version());
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                Optional<String> location = response.headers().firstValue("Location");
                close(response.body());
                if (location.isEmpty()) {
                    throw new DownloadFailure(FailureReason.PROVIDER_UNAVAILABLE, status, null, "redirect without Location");
                }
                current = current.resolve(location.get());
                continue;
            }
            if (status != 200) {
                close(response.body());
                throw statusFailure(status, response);
            }
            return save(response, target, control, progress);
        }
        throw new DownloadFailure(FailureReason.PROVIDER_UNAVAILABLE, null, null, "too many redirects");
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws DownloadFailure {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new DownloadFailure(FailureReason.TIMEOUT, null, null, "connect timed out");
        } catch (HttpTimeoutException e) {
            throw new DownloadFailure(FailureReason.TIMEOUT, null, null, "no response in time");
        } catch (ConnectException e) {
            throw new DownloadFailure(FailureReason.PROVIDER_UNAVAILABLE, null, null, "cannot connect to the provider");
        } catch (IOException e) {
            throw new DownloadFailure(FailureReason.PROVIDER_UNAVAILABLE, null, null, "provider I/O error: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadFailure(FailureReason.TIMEOUT, null, null, "interrupted");
        }
    }

    private static DownloadFailure statusFailure(int status, HttpResponse<?> response) {
        if (status == 404) {
            return new DownloadFailure(FailureReason.PROVIDER_NOT_FOUND, 404, null, "provider answered 404");
        }
        if (status == 429) {
            return new DownloadFailure(FailureReason.PROVIDER_RATE_LIMITED, 429,
                    retryAfter(response.headers().firstValue("Retry-After")).orElse(null), "provider answered 429");
        }
        return new DownloadFailure(FailureReason.PROVIDER_UNAVAILABLE, status, null, "provider answered " + status);
    }

    /** Streams the body to the file, then checks it: audio type, not empty, complete, audio magic bytes. */
    private Fetched save(HttpResponse<InputStream> response, Path target, DownloadControl control, Progress progress)
            throws DownloadFailure {
        String contentType = response.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (!contentType.startsWith("audio/") && !contentType.startsWith("application/octet-stream")) {
            close(response.body());
            throw new DownloadFailure(FailureReason.INVALID_MEDIA, 200, null, "not audio: " + contentType);
        }
        OptionalLong announced = response.headers().firstValueAsLong("Content-Length");
        Long total = announced.isPresent() ? announced.getAsLong() : null;
        byte[] head = new byte[12];
        int headLength = 0;
        long bytes = 0;
        try (InputStream body = response.body(); OutputStream out = Files.newOutputStream(target)) {
            control.reading(body);
            byte[] buffer = new byte[BUFFER];
            int read;
            boolean sniffed = false;
            while ((read = body.read(buffer)) != -1) {
                if (headLength < head.length) {
                    int take = Math.min(read, head.length - headLength);
                    System.arraycopy(buffer, 0, head, headLength, take);
                    headLength += take;
                }
                out.write(buffer, 0, read);
                bytes += read;
                control.progressed();
                progress.update(bytes, total);
                if (!sniffed && headLength == head.length) {
                    sniffed = true;
                    AudioFormat.sniff(head, headLength).ifPresent(progress::playable);
                }
            }
        } catch (IOException e) {
            throw readFailure(e, control, total, bytes);
        } finally {
            control.doneReading();
        }
        if (control.stopped() != null) {
            throw stoppedFailure(control);
        }
        if (bytes == 0) {
            throw new DownloadFailure(FailureReason.INVALID_MEDIA, 200, null, "empty body");
        }
        if (total != null && total != bytes) {
            throw new DownloadFailure(FailureReason.INVALID_MEDIA, 200, null,
                    "body of " + bytes + " bytes, announced " + total);
        }
        AudioFormat format = AudioFormat.sniff(head, headLength).orElseThrow(() ->
                new DownloadFailure(FailureReason.INVALID_MEDIA, 200, null, "body is not MP3 or WAV audio"));
        return new Fetched(format, bytes);
    }

    private static DownloadFailure readFailure(IOException e, DownloadControl control, Long total, long bytes) {
        if (control.stopped() != null) {
            return stoppedFailure(control);
        }
        if (e instanceof InterruptedIOException || e instanceof HttpTimeoutException) {
            return new DownloadFailure(FailureReason.TIMEOUT, 200, null, "read timed out");
        }
        if (total != null && bytes < total) {
            return new DownloadFailure(FailureReason.INVALID_MEDIA, 200, null,
                    "body ended after " + bytes + " of " + total + " bytes");
        }
        return new DownloadFailure(FailureReason.PROVIDER_UNAVAILABLE, 200, null, "read failed: " + e.getMessage());
    }

    private static DownloadFailure stoppedFailure(DownloadControl control) {
        return new DownloadFailure(FailureReason.TIMEOUT, 200, null, "download stopped: " + control.stopped());
    }

    /** Retry-After as delay-seconds or an HTTP-date. */
    static Optional<Duration> retryAfter(Optional<String> header) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get().trim();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
        } catch (NumberFormatException e) {
            try {
                Instant at = Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(value));
                Duration delay = Duration.between(Instant.now(), at);
                return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
            } catch (RuntimeException unparsable) {
                return Optional.empty();
            }
        }
    }

    private static void close(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // nothing more to read
        }
    }

    private static void sleep(Duration duration) throws DownloadFailure {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadFailure(FailureReason.TIMEOUT, null, null, "interrupted");
        }
    }
}
