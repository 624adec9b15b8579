package playback.simulator;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The scripts by recording SID, each with the number of API fetches made under it (for fail_first). */
final class Scripts {

    /** One API fetch: the script in force and which fetch under that script this is, from 1. */
    record Fetch(Script script, int attempt) {
        boolean scriptedFailure() {
            return attempt <= script.failFirst();
        }
    }

    private record Entry(Script script, AtomicInteger fetches) {
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** Stores or replaces a script; a replaced script starts counting fetches again. */
    void put(String recordingSid, Script script) {
        entries.put(recordingSid, new Entry(script, new AtomicInteger()));
    }

    Script get(String recordingSid) {
        Entry entry = entries.get(recordingSid);
        return entry == null ? Script.DEFAULTS : entry.script();
    }

    /** Counts an API fetch of the recording and tells how to answer it. */
    Fetch fetch(String recordingSid) {
        Entry entry = entries.get(recordingSid);
        return entry == null ? new Fetch(Script.DEFAULTS, 1) : new Fetch(entry.script(), entry.fetches().incrementAndGet());
    }

    void clear() {
        entries.clear();
    }

    /** Keeps the scripts but lets fail_first count from zero again, so a scenario can be replayed. */
    void resetCounters() {
        entries.values().forEach(entry -> entry.fetches().set(0));
    }
}
