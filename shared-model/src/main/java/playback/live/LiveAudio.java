package playback.live;

/** How an api replica reads a recording from the worker that is receiving it. */
public final class LiveAudio {

    /** The worker's path of a run's audio: this, then the run id. */
    public static final String PATH = "/internal/live/";
    /** The header carrying {@link LiveConfig#token()}. */
    public static final String TOKEN_HEADER = "X-Playback-Internal-Token";
    /** The worker's answer when it is not receiving that run (any more): the api falls back to storage. */
    public static final String NOT_LIVE = "not_live";

    private LiveAudio() {
    }
}
