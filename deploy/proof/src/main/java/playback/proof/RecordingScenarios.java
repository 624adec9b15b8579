package playback.proof;

import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;
import playback.proof.Scenario.Result;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static playback.proof.Checks.check;
import static playback.proof.Checks.secondsSince;
import static playback.proof.Playback.map;
import static playback.proof.Playback.number;

/** A recording played through the deployment: cold (scenario 1), and while it downloads (scenario 8). */
final class RecordingScenarios {

    private final Deployment deployment;
    private final Playback playback;
    private final RunState state;

    RecordingScenarios(Deployment deployment, Playback playback, RunState state) {
        this.deployment = deployment;
        this.playback = playback;
        this.state = state;
    }

    /** 1. A cold recording of the demo: 202, then ready, then a 206 Range answer of the right bytes. */
    Result coldPlay() throws Exception {
        Business business = playback.demoBusiness();
        Map<String, Object> item = playback.recentCalls(business, 1).get(0);
        Map<String, Object> recording = map(item.get("recording"));
        Call call = new Call(business, (String) item.get("call_sid"), (String) recording.get("recording_sid"));
        String before = (String) recording.get("status");
        long started = System.nanoTime();
        HttpResponse<String> played = playback.play(call);
        String retryAfter = played.headers().firstValue("Retry-After").orElse("none");
        Map<String, Object> status = playback.status(call, "?wait=30");
        double readySeconds = secondsSince(started);
        String streamUrl = (String) status.get("stream_url");
        check("ready".equals(status.get("status")) && streamUrl != null, "not ready after 30 s: " + status);
        long size = number(status.get("size_bytes"));
        HttpResponse<byte[]> whole = playback.bytes(streamUrl, null);
        HttpResponse<byte[]> range = playback.bytes(streamUrl, "bytes=1000-4999");
        byte[] body = whole.body();
        boolean mp3 = body.length > 2 && ((body[0] & 0xFF) == 0xFF && (body[1] & 0xE0) == 0xE0
                || new String(body, 0, 3, StandardCharsets.ISO_8859_1).equals("ID3"));
        boolean sameBytes = Arrays.equals(range.body(), Arrays.copyOfRange(body, 1000, 5000));
        String contentRange = range.headers().firstValue("Content-Range").orElse("none");
        int fetches = playback.fetches(call);
        state.cold = new RunState.Played(call, streamUrl, body);
        List<String> stored = deployment.storedObjects(call);
        boolean inBucket = stored.size() == 1 && stored.get(0).startsWith(size + " ");
        List<String> sharedDisks = deployment.recordingsMounts();
        boolean passed = "missing".equals(before) && played.statusCode() == 202 && whole.statusCode() == 200
                && body.length == size && mp3 && range.statusCode() == 206 && sameBytes
                && contentRange.equals("bytes 1000-4999/" + size) && fetches == 1 && inBucket && sharedDisks.isEmpty();
        return new Result(passed, String.format("%s -> %d (Retry-After %s), ready after %.1f s; %d %s bytes %s; "
                        + "Range 1000-4999: %d, Content-Range %s, bytes match=%s; fetches=%d; in the object store's "
                        + "bucket: %s; recordings volumes on api or worker: %s", before,
                played.statusCode(), retryAfter, readySeconds, whole.statusCode(),
                whole.headers().firstValue("Content-Type").orElse("?"), size, range.statusCode(), contentRange,
                sameBytes, fetches, stored.isEmpty() ? "none" : String.join(", ", stored),
                sharedDisks.isEmpty() ? "none" : String.join(", ", sharedDisks)));
    }

    /**
     * 8. Play while it downloads across containers: the worker receiving a slow recording announces its
     * own address on the compose network (nothing configured), the api relays its bytes to a listener of
     * the live_stream_url before the download ends, and they are the stored recording, byte for byte.
     */
    Result liveWhileDownloading() throws Exception {
        Business business = playback.businesses("Live", 1).get(0);
        Call call = playback.call(business, "{\"latency_ms\":300,\"bytes_per_second\":200000,\"size_bytes\":2000000}");
        HttpResponse<String> played = playback.play(call);
        Map<String, Object> playable = playback.status(call, "?wait=30&live=true");
        String liveUrl = (String) playable.get("live_stream_url");
        check(liveUrl != null, "no live_stream_url within 30 s: " + playable);
        String announced = deployment.sql("select live_url from recording_runs where call_sid = '" + call.callSid()
                + "' and status = 'running'");
        HttpResponse<InputStream> live = playback.stream(liveUrl);
        byte[] heard;
        Object statusWhileHearing;
        try (InputStream body = live.body()) {
            byte[] first = body.readNBytes(1000);
            statusWhileHearing = playback.status(call, "").get("status");
            byte[] rest = body.readAllBytes();
            heard = Arrays.copyOf(first, first.length + rest.length);
            System.arraycopy(rest, 0, heard, first.length, rest.length);
        }
        Map<String, Object> ready = playback.status(call, "?wait=30");
        String streamUrl = (String) ready.get("stream_url");
        check(streamUrl != null, "not ready after 30 s: " + ready);
        byte[] stored = playback.bytes(streamUrl, null).body();
        boolean fromItsContainer = announced.matches("http://\\d+\\.\\d+\\.\\d+\\.\\d+:8081/internal/live/\\d+");
        boolean same = Arrays.equals(heard, stored) && heard.length == 2_000_000;
        int firstDifference = Arrays.mismatch(heard, stored);
        int fetches = playback.fetches(call);
        boolean passed = played.statusCode() == 202 && "downloading".equals(playable.get("status")) && fromItsContainer
                && live.statusCode() == 200 && "downloading".equals(statusWhileHearing) && same && fetches == 1;
        return new Result(passed, String.format("Play %d; live=true long-poll: %s with live_stream_url; the worker announced %s; "
                        + "the listener: %d, status when its first 1000 bytes came: %s, %d bytes, equal to the stored recording "
                        + "(%d bytes)=%s%s; fetches=%d", played.statusCode(), playable.get("status"), announced, live.statusCode(),
                statusWhileHearing, heard.length, stored.length, same,
                same ? "" : " (first difference at byte " + firstDifference + ")", fetches));
    }
}
