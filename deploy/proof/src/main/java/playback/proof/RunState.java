package playback.proof;

import playback.devstack.Fixtures.Business;
import playback.devstack.Fixtures.Call;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What scenarios leave to later ones, and the figures printed above the table. */
final class RunState {

    /** Scenario 1's recording, played again after the deployment went down and up. */
    record Played(Call call, String streamUrl, byte[] body) {
    }

    /** Timings of the deployment itself (start, scale, restart), in the order measured. */
    final Map<String, String> figures = new LinkedHashMap<>();
    /** Set by scenario 1, needed by 5. */
    Played cold;
    /** Scenario 2's businesses, used by 3 to 6. */
    List<Business> backlog;
}
