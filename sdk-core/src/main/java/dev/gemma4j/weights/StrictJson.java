package dev.gemma4j.weights;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemma4j.ModelFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** JSON parsing for checkpoint headers and indexes: a duplicate key or trailing garbage is an error. */
final class StrictJson {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StrictJson() {
    }

    /**
     * Parses {@code bytes} as a UTF-8 JSON object; errors name {@code file} and {@code field}. The bytes are
     * decoded here rather than by Jackson, which would guess UTF-16 or UTF-32 from a byte-order mark while
     * the format allows only UTF-8.
     */
    static ObjectNode parseObject(byte[] bytes, Path file, String field) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String text;
        try {
            text = utf8.decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(file, field, "not valid UTF-8 at byte " + in.position(), e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            // Jackson names the (redacted) source inside its message; only the position helps a reader.
            String problem = e.getOriginalMessage().replaceAll("\\[Source: [^;]*; ", "[");
            throw new ModelFormatException(file, field, "not valid JSON" + where + ": " + problem, e);
        }
        if (!root.isObject()) {
            throw new ModelFormatException(file, field, "must be a JSON object");
        }
        return (ObjectNode) root;
    }
}
