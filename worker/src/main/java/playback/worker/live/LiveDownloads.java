package playback.worker.live;

import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The recordings this worker is receiving right now, by run, for listeners who start before the end. */
@ApplicationScoped
public class LiveDownloads {

    private final Map<Long, LiveDownload> byRun = new ConcurrentHashMap<>();

    /** A run starts receiving into {@code file} (which exists, empty). */
    public LiveDownload open(long runId, Path file) throws IOException {
        LiveDownload live = new LiveDownload(runId, file);
        byRun.put(runId, live);
        return live;
    }

    /** The run's live download, attached for one reader (who must detach); empty when it is not receiving here. */
    public Optional<LiveDownload> attach(long runId) {
        LiveDownload live = byRun.get(runId);
        return live != null && live.attach() ? Optional.of(live) : Optional.empty();
    }

    /** The run's download is over, whichever way: no new reader starts; those reading finish. */
    public void close(LiveDownload live) {
        byRun.remove(live.runId(), live);
        live.release();
    }

    public int size() {
        return byRun.size();
    }
}
