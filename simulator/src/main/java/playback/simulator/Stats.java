package playback.simulator;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the provider saw: fetches per recording and how many downloads ran at once, overall and per
 * account. Tests and benchmarks read it to prove that the client deduplicates and respects its
 * per-business concurrency limit.
 *
 * <p>A download is one logical fetch: it starts with the API request and ends when the storage body it
 * redirected to has been sent (or the connection dropped), or as soon as the API answers anything but a
 * redirect. Each download has an id, carried in the signed storage URL, which ties the two requests
 * together. A redirect that is never followed ends when its URL expires. Everything is synchronized:
 * the counters change a few times per download, far below any contention that would matter.
 */
final class Stats {

    private record Download(String account, String recordingSid, long deadlineMillis) {

        Download until(long deadline) {
            return new Download(account, recordingSid, deadline);
        }
    }

    private final Map<String, Long> fetches = new TreeMap<>();
    private final Map<Long, Download> downloads = new HashMap<>();
    private final Map<String, Integer> inFlightByAccount = new TreeMap<>();
    private final Map<String, Integer> maxInFlightByAccount = new TreeMap<>();
    /** The recordings in flight when an account's maximum was reached: what a test shows when it is too high. */
    private final Map<String, List<String>> atMaxByAccount = new TreeMap<>();
    private long nextId;
    private int inFlight;
    private int maxInFlight;

    /** An API GET of a recording arrived: counts the fetch and starts a download; returns its id. */
    synchronized long fetchStarted(String account, String recordingSid) {
        expire();
        fetches.merge(recordingSid, 1L, Long::sum);
        long id = ++nextId;
        downloads.put(id, new Download(account, recordingSid, Long.MAX_VALUE));
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        int forAccount = inFlightByAccount.merge(account, 1, Integer::sum);
        if (forAccount > maxInFlightByAccount.getOrDefault(account, 0)) {
            maxInFlightByAccount.put(account, forAccount);
            atMaxByAccount.put(account, downloads.values().stream().filter(download -> download.account().equals(account))
                    .map(Download::recordingSid).sorted().toList());
        }
        return id;
    }

    /** The API redirected: the download stays in flight until storage serves it or the URL expires. */
    synchronized void redirected(long id, long expiresMillis) {
        downloads.computeIfPresent(id, (key, download) -> download.until(expiresMillis));
    }

    /** Storage took the download over; false when it already ended (a reused URL, or a reset since). */
    synchronized boolean storageStarted(long id) {
        return downloads.computeIfPresent(id, (key, download) -> download.until(Long.MAX_VALUE)) != null;
    }

    /** The download is over, whichever way; ending it twice or after a reset is harmless. */
    synchronized void finished(long id) {
        Download download = downloads.remove(id);
        if (download != null) {
            inFlight--;
            inFlightByAccount.merge(download.account(), -1, Integer::sum);
        }
    }

    synchronized void reset() {
        fetches.clear();
        downloads.clear();
        inFlightByAccount.clear();
        maxInFlightByAccount.clear();
        atMaxByAccount.clear();
        inFlight = 0;
        maxInFlight = 0;
    }

    /** The JSON of GET /sim/stats. */
    synchronized Map<String, Object> snapshot() {
        expire();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("fetches", new TreeMap<>(fetches));
        view.put("in_flight", inFlight);
        view.put("max_in_flight", maxInFlight);
        view.put("in_flight_by_account", new TreeMap<>(inFlightByAccount));
        view.put("max_in_flight_by_account", new TreeMap<>(maxInFlightByAccount));
        view.put("in_flight_at_max_by_account", new TreeMap<>(atMaxByAccount));
        return view;
    }

    /** Ends redirects whose storage URL expired unused: nobody can follow them any more. */
    private void expire() {
        long now = System.currentTimeMillis();
        for (Iterator<Map.Entry<Long, Download>> it = downloads.entrySet().iterator(); it.hasNext(); ) {
            Download download = it.next().getValue();
            if (download.deadlineMillis() < now) {
                it.remove();
                inFlight--;
                inFlightByAccount.merge(download.account(), -1, Integer::sum);
            }
        }
    }
}
