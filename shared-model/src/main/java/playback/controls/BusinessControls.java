package playback.controls;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.persistence.Tuple;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static playback.model.SqlParameters.integer;
import static playback.model.SqlParameters.text;
import static playback.model.SqlValues.instant;

/**
 * The one owner of {@code business_controls} and {@code ops_audit}: what operators set per business (a
 * pause, a slot limit) and the record of what they did. Each change writes its audit row in its own
 * transaction, so a change is never without its record nor a record without its change.
 */
@ApplicationScoped
public class BusinessControls {

    /** The highest limit an operator may set (the migration's check says the same). */
    public static final int MAX_LIMIT = 100;

    private final EntityManager db;

    public BusinessControls(EntityManager db) {
        this.db = db;
    }

    /** A business's controls; {@code limit} null means the default ({@link SlotsConfig#perBusiness()}). */
    public record Control(long businessId, boolean paused, Integer limit) {

        public static Control none(long businessId) {
            return new Control(businessId, false, null);
        }

        public int effectiveLimit(int defaultLimit) {
            return limit != null ? limit : defaultLimit;
        }
    }

    /** One operator action. */
    public record AuditEntry(Instant at, String actor, AuditAction action, long businessId, String callSid,
                             String detail) {
    }

    /** The controls of every business that has any; a business missing here is neither paused nor limited. */
    public Map<Long, Control> all() {
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<Long, Control> controls = new LinkedHashMap<>();
            for (Tuple row : tuples(db.createNativeQuery(
                    "select business_id, paused, concurrency_limit from business_controls", Tuple.class).getResultList())) {
                Control control = control(row);
                controls.put(control.businessId(), control);
            }
            return controls;
        });
    }

    /** The controls of a business; empty when there is no such business. */
    public Optional<Control> of(long businessId) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(db.createNativeQuery("""
                        select b.id, coalesce(c.paused, false), c.concurrency_limit
                        from businesses b left join business_controls c on c.business_id = b.id
                        where b.id = ?1""", Tuple.class).setParameter(1, businessId).getResultList())
                .stream().findFirst().map(BusinessControls::control));
    }

    /** No new download starts for the business's recordings; empty when there is no such business. */
    public Optional<Control> pause(long businessId, String actor) {
        return change(businessId, actor, AuditAction.PAUSE, "paused = true", null, null);
    }

    /** Downloads start again; empty when there is no such business. */
    public Optional<Control> resume(long businessId, String actor) {
        return change(businessId, actor, AuditAction.RESUME, "paused = false", null, null);
    }

    /** The business's slot limit, 1 to {@link #MAX_LIMIT}, or null for the default; empty when there is no such business. */
    public Optional<Control> setLimit(long businessId, Integer limit, String actor) {
        if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
            throw new IllegalArgumentException("a limit is 1 to " + MAX_LIMIT + ": " + limit);
        }
        return change(businessId, actor, AuditAction.SET_LIMIT, "concurrency_limit = ?3", limit,
                limit == null ? "limit: default" : "limit: " + limit);
    }

    /** Records a retry an operator asked for (the lifecycle has already applied it). */
    public void recordRetryNow(long businessId, String callSid, String actor, String detail) {
        QuarkusTransaction.requiringNew().run(() -> audit(businessId, callSid, actor, AuditAction.RETRY_NOW, detail));
    }

    /**
     * A business's prefetch policy: completed recordings of calls that started within the last
     * {@code hours} are fetched in the background, at most {@code dailyMaxCount} a day (null: no cap).
     */
    public record Prefetch(int hours, Integer dailyMaxCount) {

        public static final int MAX_HOURS = 720;

        /** @throws IllegalArgumentException hours outside 1 to {@link #MAX_HOURS}, or a cap below 1 */
        public Prefetch {
            if (hours < 1 || hours > MAX_HOURS || (dailyMaxCount != null && dailyMaxCount < 1)) {
                throw new IllegalArgumentException("prefetch hours are 1 to " + MAX_HOURS
                        + " and a daily cap at least 1: " + hours + " h, cap " + dailyMaxCount);
            }
        }
    }

    /** The business's prefetch policy; empty when it is off (the default) or there is no such business. */
    public Optional<Prefetch> prefetch(long businessId) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(db.createNativeQuery("""
                        select prefetch_hours, prefetch_daily_max_count from business_controls
                        where business_id = ?1 and prefetch_hours is not null""", Tuple.class)
                .setParameter(1, businessId).getResultList()).stream().findFirst()
                .map(row -> new Prefetch(((Number) row.get(0)).intValue(),
                        row.get(1) == null ? null : ((Number) row.get(1)).intValue())));
    }

    /** Turns prefetch on with a policy, or off ({@code policy} empty); false when there is no such business. */
    public boolean setPrefetch(long businessId, Optional<Prefetch> policy, String actor) {
        return QuarkusTransaction.requiringNew().call(() -> {
            ensureRow(businessId);
            int updated = db.createNativeQuery("""
                            update business_controls set prefetch_hours = ?2, prefetch_daily_max_count = ?3,
                                updated_at = now(), updated_by = ?4
                            where business_id = ?1""")
                    .setParameter(1, businessId).setParameter(2, integer(policy.map(Prefetch::hours).orElse(null)))
                    .setParameter(3, integer(policy.map(Prefetch::dailyMaxCount).orElse(null)))
                    .setParameter(4, actor).executeUpdate();
            if (updated == 1) {
                audit(businessId, null, actor, AuditAction.SET_PREFETCH, policy.map(p -> "prefetch: last " + p.hours()
                        + " h" + (p.dailyMaxCount() == null ? "" : ", at most " + p.dailyMaxCount() + " a day"))
                        .orElse("prefetch: off"));
            }
            return updated == 1;
        });
    }

    /** Gives an existing business its controls row (the defaults) unless it has one; an unknown one gets none. */
    private void ensureRow(long businessId) {
        db.createNativeQuery("""
                        insert into business_controls (business_id)
                        select id from businesses where id = ?1
                        on conflict (business_id) do nothing""")
                .setParameter(1, businessId).executeUpdate();
    }

    /** Development only: no business is paused or limited any more (the audit trail stays); how many were. */
    public int clearAll() {
        return QuarkusTransaction.requiringNew().call(() -> db.createNativeQuery("delete from business_controls")
                .executeUpdate());
    }

    /** The newest audit entries first. */
    public List<AuditEntry> audit(int limit) {
        return QuarkusTransaction.requiringNew().call(() -> tuples(db.createNativeQuery("""
                        select at, actor, action, business_id, call_sid, detail from ops_audit
                        order by at desc, id desc limit ?1""", Tuple.class).setParameter(1, limit).getResultList())
                .stream().map(row -> new AuditEntry(instant(row.get(0)), row.get(1, String.class),
                        AuditAction.fromWire(row.get(2, String.class)), ((Number) row.get(3)).longValue(),
                        row.get(4, String.class), row.get(5, String.class)))
                .toList());
    }

    private Optional<Control> change(long businessId, String actor, AuditAction action, String assignment,
                                     Integer limit, String detail) {
        return QuarkusTransaction.requiringNew().call(() -> {
            ensureRow(businessId);
            Query update = db.createNativeQuery("""
                            update business_controls set %s, updated_at = now(), updated_by = ?2
                            where business_id = ?1
                            returning business_id, paused, concurrency_limit""".formatted(assignment), Tuple.class)
                    .setParameter(1, businessId).setParameter(2, actor);
            if (assignment.contains("?3")) {
                update.setParameter(3, integer(limit));
            }
            Optional<Control> changed = tuples(update.getResultList()).stream().findFirst().map(BusinessControls::control);
            changed.ifPresent(control -> audit(businessId, null, actor, action, detail));
            return changed;
        });
    }

    private void audit(long businessId, String callSid, String actor, AuditAction action, String detail) {
        db.createNativeQuery("""
                        insert into ops_audit (actor, action, business_id, call_sid, detail)
                        values (?1, ?2, ?3, ?4, ?5)""")
                .setParameter(1, actor).setParameter(2, action.wire()).setParameter(3, businessId)
                .setParameter(4, text(callSid)).setParameter(5, text(detail)).executeUpdate();
    }

    private static Control control(Tuple row) {
        Number limit = (Number) row.get(2);
        return new Control(((Number) row.get(0)).longValue(), row.get(1, Boolean.class),
                limit == null ? null : limit.intValue());
    }

    @SuppressWarnings("unchecked")
    private static List<Tuple> tuples(List<?> rows) {
        return (List<Tuple>) rows;
    }
}
