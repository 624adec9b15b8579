package playback.worker.live;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import playback.live.LiveAudio;
import playback.live.LiveConfig;
import playback.worker.config.WorkerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The recordings this worker is receiving right now, by run, for listeners who start before the end. */
@ApplicationScoped
public class LiveDownloads {

    private final Map<Long, LiveDownload> byRun = new ConcurrentHashMap<>();
    private final boolean served;
    private final Optional<String> advertisedUrl;
    private final int port;
    private volatile String base;

    public LiveDownloads(LiveConfig live, WorkerConfig config, @ConfigProperty(name = "quarkus.http.port") int port) {
        this.served = live.token().isPresent();
        this.advertisedUrl = config.live().advertisedUrl();
        this.port = port;
    }

    /**
     * Where the api replicas read the run while it downloads; empty when this worker serves nothing
     * before it is complete (no token configured).
     */
    public Optional<URI> url(long runId) {
        if (!served) {
            return Optional.empty();
        }
        if (base == null) {
            base = advertisedUrl.map(url -> url.replaceAll("/+$", ""))
                    .orElseGet(() -> "http://" + firstNonLoopbackAddress() + ":" + port);
        }
        return Optional.of(URI.create(base + LiveAudio.PATH + runId));
    }

    /** This host's first IPv4 address other than loopback (a container's address on its network), else loopback. */
    private static String firstNonLoopbackAddress() {
        try {
            for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!network.isUp() || network.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(network.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
            return InetAddress.getLoopbackAddress().getHostAddress();
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

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
