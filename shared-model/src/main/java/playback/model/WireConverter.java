package playback.model;

import jakarta.persistence.AttributeConverter;

/**
 * A status enum stored as its wire string, the same text clients and the SQL checks see; the enum
 * defines that string ({@link Wire}). One subclass per enum, because JPA converters are named by class.
 */
public abstract class WireConverter<E extends Enum<E> & WireConverter.Wire> implements AttributeConverter<E, String> {

    /** An enum whose values have one text form, on the wire and in the database. */
    public interface Wire {
        String wire();
    }

    private final Class<E> type;

    protected WireConverter(Class<E> type) {
        this.type = type;
    }

    @Override
    public String convertToDatabaseColumn(E status) {
        return status == null ? null : status.wire();
    }

    @Override
    public E convertToEntityAttribute(String value) {
        if (value == null) {
            return null;
        }
        for (E status : type.getEnumConstants()) {
            if (status.wire().equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException("no " + type.getSimpleName() + " is stored as " + value);
    }
}
