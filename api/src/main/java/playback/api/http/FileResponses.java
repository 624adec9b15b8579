package playback.api.http;

import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.PathPart;
import org.jboss.resteasy.reactive.RestResponse;
import playback.api.service.StoredRecording;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Serves a stored recording per RFC 9110: conditional requests (If-Match, If-None-Match,
 * If-Modified-Since, If-Range, evaluated in the order of RFC 9110 13.2.2), byte ranges (206 single
 * part, 206 multipart/byteranges, 416), HEAD. A single range is a {@link PathPart}: sent from the file
 * by the event loop (sendfile), no thread or buffer held for a slow client. Several ranges, rare
 * outside download managers, are streamed part by part with bounded memory; more than
 * {@value #MAX_PARTS} of them, or parts adding up to more than the file (overlaps), get the whole
 * file (200), as the RFC allows, so that a request cannot amplify a download.
 */
final class FileResponses {

    static final int MAX_PARTS = 16;
    private static final String BOUNDARY = "PLAYBACK_BYTERANGES_BOUNDARY";

    private FileResponses() {
    }

    /**
     * The answer to a request for a stored recording.
     *
     * @throws java.nio.file.NoSuchFileException the remote store no longer has the recording's object
     * @throws IOException                       the remote store cannot be read now
     */
    static RestResponse<Object> respond(StoredRecording file, RecordingRequest request) throws IOException {
        if (request.ifMatch() != null && !matchesStrongly(file, request.ifMatch())) {
            return RestResponse.ResponseBuilder.create(RestResponse.Status.PRECONDITION_FAILED)
                    .header(HttpHeaders.CONTENT_TYPE, "application/json")
                    .entity(new ErrorBody("precondition_failed", "If-Match names none of the recording's entity tags"))
                    .build();
        }
        Instant lastModified = file.lastModified();
        if (notModified(file, lastModified, request)) {
            return validators(RestResponse.ResponseBuilder.create(RestResponse.Status.NOT_MODIFIED), file, lastModified)
                    .build();
        }
        long size = file.size();
        Optional<List<long[]>> ranges = request.range() == null || !rangeStillValid(file, lastModified, request.ifRange())
                ? Optional.empty() : parseRanges(request.range(), size);
        if (ranges.isPresent() && ranges.get().isEmpty()) {
            return validators(RestResponse.ResponseBuilder.create(416), file, lastModified)
                    .header("Content-Range", "bytes */" + size)
                    .header(HttpHeaders.CONTENT_TYPE, "application/json")
                    .entity(new ErrorBody("range_not_satisfiable", "no requested range overlaps the " + size
                            + "-byte recording"))
                    .build();
        }
        List<long[]> parts = ranges.orElse(List.of());
        if (parts.size() > 1 && (parts.size() > MAX_PARTS || totalLength(parts) > size)) {
            parts = List.of();
        }
        RestResponse.ResponseBuilder<Object> response;
        if (parts.size() > 1) {
            response = multipart(file, parts, request.head());
        } else {
            long offset = 0;
            long length = size;
            response = RestResponse.ResponseBuilder.create(200);
            if (parts.size() == 1) {
                long[] range = parts.get(0);
                offset = range[0];
                length = range[1] - range[0] + 1;
                response = RestResponse.ResponseBuilder.create(206);
                response.header("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + size);
            }
            response.header(HttpHeaders.CONTENT_TYPE, file.contentType()).header(HttpHeaders.CONTENT_LENGTH, length);
            if (!request.head()) {
                response.entity(body(file.bytes(), offset, length));
            }
        }
        validators(response, file, lastModified);
        if (request.attachment()) {
            response.header("Content-Disposition", attachment(file));
        }
        return response.build();
    }

    /** The Content-Disposition of a download: saved under the recording's SID. */
    static String attachment(StoredRecording file) {
        return "attachment; filename=\"" + file.fileName() + "\"";
    }

    /** 206 multipart/byteranges, the parts in the order asked, with an exact Content-Length. */
    private static RestResponse.ResponseBuilder<Object> multipart(StoredRecording file, List<long[]> parts,
                                                                   boolean head) {
        List<byte[]> headers = new ArrayList<>();
        long length = 0;
        for (long[] part : parts) {
            byte[] header = ("\r\n--" + BOUNDARY + "\r\nContent-Type: " + file.contentType() + "\r\nContent-Range: bytes "
                    + part[0] + "-" + part[1] + "/" + file.size() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            headers.add(header);
            length += header.length + part[1] - part[0] + 1;
        }
        byte[] closing = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        length += closing.length;
        RestResponse.ResponseBuilder<Object> response = RestResponse.ResponseBuilder.create(206)
                .header(HttpHeaders.CONTENT_TYPE, "multipart/byteranges; boundary=" + BOUNDARY)
                .header(HttpHeaders.CONTENT_LENGTH, length);
        if (!head) {
            List<RecordingBody.Segment> segments = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                long first = parts.get(i)[0];
                long last = parts.get(i)[1];
                segments.add(RecordingBody.Segment.literal(headers.get(i)));
                segments.add(RecordingBody.Segment.stream(() -> open(file.bytes(), first, last), last - first + 1));
            }
            segments.add(RecordingBody.Segment.literal(closing));
            response.entity(new RecordingBody(segments));
        }
        return response;
    }

    /** A single range: a file region for the event loop, or a ranged read of the store opened now. */
    private static Object body(StoredRecording.Bytes bytes, long offset, long length) throws IOException {
        if (bytes instanceof StoredRecording.LocalFile local) {
            return new PathPart(local.path(), offset, length);
        }
        InputStream in = open(bytes, offset, offset + length - 1);
        return new RecordingBody(List.of(RecordingBody.Segment.stream(() -> in, length)));
    }

    /** Bytes {@code first} to {@code last} of a stored recording (blocking). */
    private static InputStream open(StoredRecording.Bytes bytes, long first, long last) throws IOException {
        if (bytes instanceof StoredRecording.LocalFile local) {
            FileChannel channel = FileChannel.open(local.path(), StandardOpenOption.READ);
            channel.position(first);
            return Channels.newInputStream(channel);
        }
        StoredRecording.StoredObject object = (StoredRecording.StoredObject) bytes;
        return object.storage().open(object.key(), first, last);
    }

    private static long totalLength(List<long[]> parts) {
        return parts.stream().mapToLong(part -> part[1] - part[0] + 1).sum();
    }

    private static RestResponse.ResponseBuilder<Object> validators(RestResponse.ResponseBuilder<Object> response,
                                                                    StoredRecording file, Instant lastModified) {
        return response.header("Accept-Ranges", "bytes")
                .header(HttpHeaders.ETAG, file.etag())
                .header(HttpHeaders.LAST_MODIFIED, file.lastModifiedHttp())
                .header(HttpHeaders.CACHE_CONTROL, "private");
    }

    /** If-Match: {@code *} (the file exists) or one of the listed tags equal to the strong ETag. */
    private static boolean matchesStrongly(StoredRecording file, String ifMatch) {
        for (String tag : ifMatch.split(",")) {
            String candidate = tag.trim();
            if (candidate.equals("*") || candidate.equals(file.etag())) {
                return true;
            }
        }
        return false;
    }

    /**
     * If-None-Match (weak comparison) wins over If-Modified-Since (RFC 9110 13.2.2); an If-Modified-Since
     * later than the server clock is not a valid date and is ignored.
     */
    private static boolean notModified(StoredRecording file, Instant lastModified, RecordingRequest request) {
        if (request.ifNoneMatch() != null) {
            for (String tag : request.ifNoneMatch().split(",")) {
                String candidate = tag.trim();
                if (candidate.equals("*") || opaque(candidate).equals(opaque(file.etag()))) {
                    return true;
                }
            }
            return false;
        }
        return parseDate(request.ifModifiedSince())
                .filter(since -> !since.isAfter(Instant.now()))
                .map(since -> !lastModified.isAfter(since)).orElse(false);
    }

    /** If-Range: the range applies only while the strong ETag or the exact Last-Modified still match. */
    private static boolean rangeStillValid(StoredRecording file, Instant lastModified, String ifRange) {
        if (ifRange == null) {
            return true;
        }
        String value = ifRange.trim();
        if (value.startsWith("\"")) {
            return value.equals(file.etag());
        }
        if (value.startsWith("W/")) {
            return false;
        }
        return parseDate(value).map(lastModified::equals).orElse(false);
    }

    private static String opaque(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }

    private static Optional<Instant> parseDate(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(value.trim())));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * The satisfiable ranges of a valid {@code bytes=} header (empty list: none satisfiable, 416), or
     * nothing when the header is malformed or of another unit (it is then ignored).
     */
    static Optional<List<long[]>> parseRanges(String header, long size) {
        String value = header.trim();
        if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
            return Optional.empty();
        }
        List<long[]> satisfiable = new ArrayList<>();
        for (String part : value.substring(6).split(",", -1)) {
            String spec = part.trim();
            int dash = spec.indexOf('-');
            if (dash < 0 || !spec.substring(0, dash).chars().allMatch(Character::isDigit)
                    || !spec.substring(dash + 1).chars().allMatch(Character::isDigit)
                    || (dash == 0 && spec.length() == 1)) {
                return Optional.empty();
            }
            try {
                if (dash == 0) {
                    long suffix = Long.parseLong(spec.substring(1));
                    if (suffix > 0) {
                        satisfiable.add(new long[]{Math.max(0, size - suffix), size - 1});
                    }
                    continue;
                }
                long first = Long.parseLong(spec.substring(0, dash));
                String lastText = spec.substring(dash + 1);
                long last = lastText.isEmpty() ? Long.MAX_VALUE : Long.parseLong(lastText);
                if (last < first) {
                    return Optional.empty();
                }
                if (first < size) {
                    satisfiable.add(new long[]{first, Math.min(last, size - 1)});
                }
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.of(satisfiable);
    }
}
