package playback.api.rest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.Collectors;

/**
 * JSON request bodies: read with a parser of our own, so that every way a body can be wrong (not JSON,
 * the wrong shape, a type mismatch, a number out of range, Jackson's limits on nesting depth and number
 * length) becomes a 400 {@code invalid_json} whose message names the field and never echoes the input.
 */
public final class JsonBody {

    private JsonBody() {
    }

    /** The body as {@code type}; null for an empty body. */
    public static <T> T read(ObjectMapper mapper, byte[] body, Class<T> type) {
        if (body == null || body.length == 0) {
            return null;
        }
        try (JsonParser parser = mapper.createParser(body)) {
            try {
                return mapper.readValue(parser, type);
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest("invalid_json", describe(e, parser));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What is wrong, naming the field where the parser knows it. */
    private static String describe(JsonProcessingException e, JsonParser parser) {
        if (e instanceof MismatchedInputException mismatch) {
            String field = mismatch.getPath().stream()
                    .map(step -> step.getFieldName() != null ? step.getFieldName() : "[" + step.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            return field.isEmpty() ? "the body must be a JSON object"
                    : field + " must be " + expected(mismatch.getTargetType());
        }
        String field = parser.getParsingContext() == null ? null : parser.getParsingContext().getCurrentName();
        String where = field != null ? " in " + field : at(e.getLocation());
        if (e instanceof StreamConstraintsException) {
            return "the body exceeds a JSON limit" + where + ": "
                    + e.getOriginalMessage().replaceAll(", from `[^`]*`", "");
        }
        if (e instanceof InputCoercionException && field != null) {
            return field + " is out of range";
        }
        return "the body is not valid JSON" + where;
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "an integer";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        return type.isRecord() ? "an object" : "of another type";
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
