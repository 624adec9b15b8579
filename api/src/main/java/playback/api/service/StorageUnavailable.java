package playback.api.service;

import java.io.IOException;

/** The recording store cannot be read now (an object store that is down or failing): a 503, not a 500. */
public class StorageUnavailable extends RuntimeException {

    public StorageUnavailable(IOException cause) {
        super(cause.getMessage(), cause);
    }
}
