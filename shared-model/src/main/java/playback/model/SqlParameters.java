package playback.model;

import org.hibernate.query.TypedParameterValue;
import org.hibernate.type.StandardBasicTypes;

/** Nullable native-query parameters, typed so that PostgreSQL knows what a null is. */
public final class SqlParameters {

    private SqlParameters() {
    }

    public static TypedParameterValue<Integer> integer(Integer value) {
        return new TypedParameterValue<>(StandardBasicTypes.INTEGER, value);
    }

    public static TypedParameterValue<String> text(String value) {
        return new TypedParameterValue<>(StandardBasicTypes.STRING, value);
    }

    public static TypedParameterValue<Double> decimal(Double value) {
        return new TypedParameterValue<>(StandardBasicTypes.DOUBLE, value);
    }
}
