package dev.gemma4j.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemma4j.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Typed, validated reads from one JSON object of a Hugging Face config file. Every error names the file
 * and the key with its full path (e.g. {@code text_config.num_key_value_heads}), so that a user can find
 * the line to fix. A JSON {@code null} counts as absent, as it does for transformers' config classes.
 */
final class ConfigFields {
    // A key given twice would make the value depend on the parser, and trailing garbage means a damaged file.
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Path file;
    private final ObjectNode node;
    private final String prefix;

    private ConfigFields(Path file, ObjectNode node, String prefix) {
        this.file = file;
        this.node = node;
        this.prefix = prefix;
    }

    /** Parses {@code file}, whose top level must be a JSON object. */
    static ConfigFields read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            // Jackson names the (redacted) source inside its message; only the position helps a reader.
            String problem = e.getOriginalMessage().replaceAll("\\[Source: [^;]*; ", "[");
            throw new ModelFormatException(file, "json", "malformed JSON" + where + ": " + problem, e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "file", "cannot read: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file, "json", "expected a JSON object at the top level");
        }
        return new ConfigFields(file, (ObjectNode) root, "");
    }

    Path file() {
        return file;
    }

    ModelFormatException error(String key, String problem) {
        return new ModelFormatException(file, prefix + key, problem);
    }

    boolean has(String key) {
        JsonNode value = node.get(key);
        return value != null && !value.isNull();
    }

    /** True when the key is written with the value {@code null} (which some keys give a meaning). */
    boolean isNull(String key) {
        JsonNode value = node.get(key);
        return value != null && value.isNull();
    }

    /** The nested object {@code key}, whose errors are reported as {@code key.child}. */
    ConfigFields object(String key) {
        JsonNode value = node.get(key);
        if (value == null || !value.isObject()) {
            throw error(key, value == null ? "is missing" : "must be a JSON object, got " + value);
        }
        return new ConfigFields(file, (ObjectNode) value, prefix + key + ".");
    }

    Optional<String> string(String key) {
        if (!has(key)) {
            return Optional.empty();
        }
        JsonNode value = node.get(key);
        if (!value.isTextual()) {
            throw error(key, "must be a string, got " + value);
        }
        return Optional.of(value.textValue());
    }

    String requiredString(String key) {
        return string(key).orElseThrow(() -> error(key, "is missing"));
    }

    int positiveInt(String key) {
        if (!has(key)) {
            throw error(key, "is missing");
        }
        int value = anInt(key, node.get(key));
        if (value <= 0) {
            throw error(key, "must be positive, got " + value);
        }
        return value;
    }

    int positiveInt(String key, int absent) {
        return has(key) ? positiveInt(key) : absent;
    }

    double positiveFinite(String key) {
        if (!has(key)) {
            throw error(key, "is missing");
        }
        JsonNode value = node.get(key);
        if (!value.isNumber()) {
            throw error(key, "must be a number, got " + value);
        }
        double d = value.doubleValue();
        // 1e999 parses to infinity; JSON itself cannot spell NaN, but the check costs nothing.
        if (!(d > 0) || !Double.isFinite(d)) {
            throw error(key, "must be positive and finite, got " + value);
        }
        return d;
    }

    double positiveFinite(String key, double absent) {
        return has(key) ? positiveFinite(key) : absent;
    }

    /** Token ids: a single integer or a list of them; empty when absent. */
    List<Integer> tokenIds(String key) {
        List<Integer> ids = new ArrayList<>();
        if (!has(key)) {
            return ids;
        }
        JsonNode value = node.get(key);
        if (value.isArray()) {
            for (JsonNode id : value) {
                ids.add(tokenId(key, id));
            }
        } else {
            ids.add(tokenId(key, value));
        }
        return ids;
    }

    /** The string elements of the array {@code key}; empty when absent. */
    Optional<List<String>> strings(String key) {
        if (!has(key)) {
            return Optional.empty();
        }
        JsonNode value = node.get(key);
        if (!value.isArray()) {
            throw error(key, "must be a list of strings, got " + value);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isTextual()) {
                throw error(key, "must be a list of strings, got element " + element);
            }
            out.add(element.textValue());
        }
        return Optional.of(out);
    }

    private int tokenId(String key, JsonNode value) {
        int id = anInt(key, value);
        if (id < 0) {
            throw error(key, "token ids must not be negative, got " + id);
        }
        return id;
    }

    private int anInt(String key, JsonNode value) {
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw error(key, "must be an integer in int range, got " + value);
        }
        return value.intValue();
    }
}
