package playback.api.http;

import playback.api.client.LiveAudioClient;

/**
 * The body of a recording that is still downloading: the answer of the worker receiving it, relayed by
 * {@link LiveBodyWriter}; {@code length} is the one the worker announced, null when it sends the
 * recording chunked (the provider announced none).
 */
record LiveBody(LiveAudioClient.Answer upstream, Long length) {

    /** The recording's bytes it announces: none for an error body (416) or a length not announced. */
    long recordingBytes() {
        int status = upstream.response().statusCode();
        return (status == 200 || status == 206) && length != null ? length : 0;
    }
}
