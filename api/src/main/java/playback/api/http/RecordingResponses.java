package playback.api.http;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.PathPart;
import org.jboss.resteasy.reactive.RestResponse;
import playback.api.client.LiveAudioClient;
import playback.api.config.ApiConfig;
import playback.api.service.StorageUnavailable;
import playback.api.service.StoredRecording;

import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

/**
 * The answers that carry a recording's bytes: a stored recording (its file or object served with the
 * whole HTTP contract, or a redirect to the store), or one still downloading, relayed from its worker.
 */
@ApplicationScoped
public class RecordingResponses {

    private final ApiConfig.StreamUrl streamUrl;
    private final LiveAudioClient live;

    public RecordingResponses(ApiConfig config, LiveAudioClient live) {
        this.streamUrl = config.streamUrl();
        this.live = live;
    }

    /**
     * A stored recording: with {@code delivery=redirect}, a 307 to a presigned URL of its object when the
     * store gives one; otherwise its bytes. Blocks for a ranged read of a remote store.
     *
     * @throws NoSuchFileException the store no longer has the recording's object
     * @throws StorageUnavailable  the store cannot be read now
     */
    public RestResponse<Object> stored(StoredRecording file, RecordingRequest request) throws NoSuchFileException {
        if (streamUrl.delivery() == ApiConfig.Delivery.REDIRECT && file.bytes() instanceof StoredRecording.StoredObject object) {
            Optional<URI> presigned = object.storage().presignedUrl(object.key(), streamUrl.redirectTtl(),
                    request.attachment() ? Optional.of(FileResponses.attachment(file)) : Optional.empty());
            if (presigned.isPresent()) {
                return RestResponse.ResponseBuilder.create(RestResponse.Status.TEMPORARY_REDIRECT)
                        .header(HttpHeaders.LOCATION, presigned.get().toString())
                        .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
            }
        }
        try {
            return FileResponses.respond(file, request);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new StorageUnavailable(e);
        }
    }

    /** Whether answering {@link #stored} blocks the thread: a GET of an object in a remote store. */
    public static boolean blocks(StoredRecording file, RecordingRequest request) {
        return !request.head() && file.bytes() instanceof StoredRecording.StoredObject;
    }

    /** The answer of the worker receiving the recording, relayed; empty when it no longer has it or cannot be reached. */
    public Uni<Optional<RestResponse<Object>>> relayed(URI source, RecordingRequest request) {
        return live.open(source, LiveResponses.forwardedRange(request.range(), request.ifRange()))
                .map(worker -> worker.map(answer -> LiveResponses.relay(answer, request.head())));
    }

    /** The bytes of recording an answer's entity carries: 0 for none, a status body or a HEAD. */
    public static long bodyLength(Object entity) {
        if (entity instanceof PathPart part) {
            return part.count;
        }
        if (entity instanceof RecordingBody body) {
            return body.length();
        }
        if (entity instanceof LiveBody relayed) {
            return relayed.recordingBytes();
        }
        return 0;
    }
}
