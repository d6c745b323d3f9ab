package dev.gemma4j.tokenizer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gemma4j.ModelFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The id/piece table of a {@code tokenizer.json}, kept on the Java side because DJL's tokenizer does not
 * expose id-to-piece lookups. Immutable, so safe to share between threads.
 */
final class Vocabulary {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String[] pieces;
    private final Map<String, Integer> ids;
    /** Pieces of the form {@code <0xNN>}: SentencePiece byte fallback, one UTF-8 byte each. */
    private final BitSet byteTokens;

    private Vocabulary(String[] pieces, Map<String, Integer> ids) {
        this.pieces = pieces;
        this.ids = ids;
        this.byteTokens = new BitSet(pieces.length);
        for (int id = 0; id < pieces.length; id++) {
            if (isBytePiece(pieces[id])) {
                byteTokens.set(id);
            }
        }
    }

    /**
     * Reads {@code model.vocab} (piece -> id) and {@code added_tokens} (which may add ids past the vocab) from
     * tokenizer.json. Streams past everything else: the BPE merges are most of the file and not needed here.
     */
    static Vocabulary parse(Path file, byte[] json) {
        Map<String, Integer> ids = new HashMap<>();
        boolean sawVocab = false;
        try (JsonParser p = JSON.createParser(json)) {
            expect(file, p, p.nextToken(), JsonToken.START_OBJECT, "json");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("model") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        boolean vocab = p.currentName().equals("vocab");
                        JsonToken modelValue = p.nextToken();
                        if (vocab) {
                            expect(file, p, modelValue, JsonToken.START_OBJECT, "model.vocab");
                            readVocab(file, p, ids);
                            sawVocab = true;
                        } else {
                            p.skipChildren();
                        }
                    }
                } else if (field.equals("added_tokens") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        readAddedToken(file, p.readValueAsTree(), ids);
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new ModelFormatException(file, "json", "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // declared by the parser, but it reads from memory
        }
        if (!sawVocab) {
            throw new ModelFormatException(file, "model.vocab", "missing");
        }
        int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        String[] pieces = new String[size];
        ids.forEach((piece, id) -> pieces[id] = piece);
        return new Vocabulary(pieces, ids);
    }

    private static void readVocab(Path file, JsonParser p, Map<String, Integer> ids) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String piece = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getIntValue() < 0) {
                throw new ModelFormatException(file, "model.vocab." + piece, "token id must be a non-negative integer");
            }
            ids.put(piece, p.getIntValue());
        }
    }

    private static void readAddedToken(Path file, JsonNode token, Map<String, Integer> ids) {
        JsonNode content = token.get("content");
        JsonNode id = token.get("id");
        if (content == null || !content.isTextual() || id == null || !id.canConvertToInt() || id.asInt() < 0) {
            throw new ModelFormatException(file, "added_tokens", "entry needs a string \"content\" and an id >= 0: " + token);
        }
        ids.put(content.asText(), id.asInt());
    }

    private static void expect(Path file, JsonParser p, JsonToken actual, JsonToken expected, String field) {
        if (actual != expected) {
            throw new ModelFormatException(file, field, "expected " + expected + " at " + p.currentLocation()
                    + ", found " + actual);
        }
    }

    private static boolean isBytePiece(String piece) {
        return piece != null && piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")
                && Character.digit(piece.charAt(3), 16) >= 0 && Character.digit(piece.charAt(4), 16) >= 0;
    }

    /** Number of ids, i.e. the highest id + 1 (Gemma 3's {@code <image_soft_token>} lies past its vocab). */
    int size() {
        return pieces.length;
    }

    /** The piece of {@code id}, or null for an id inside the range that no piece uses. */
    String piece(int id) {
        return pieces[id];
    }

    OptionalInt id(String piece) {
        Integer id = ids.get(piece);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    boolean isByteToken(int id) {
        return byteTokens.get(id);
    }
}
