package dev.gemma4j.tokenizer;

import java.util.OptionalInt;

/**
 * Text to Gemma token ids and back. Implementations are thread-safe. Special-token text that appears in
 * the input (such as {@code <start_of_turn>}) is encoded as that one special token.
 */
public interface GemmaTokenizer extends AutoCloseable {

    /** The tokenizer of a Hugging Face model directory ({@code tokenizer.json}), without loading weights. */
    static GemmaTokenizer load(java.nio.file.Path modelDir) {
        return HfGemmaTokenizer.load(modelDir);
    }

    /** Encodes {@code text}; with {@code addBos} the result starts with {@code <bos>}. Never truncates. */
    int[] encode(String text, boolean addBos);

    /** Decodes ids to text; with {@code skipSpecial}, control tokens such as {@code <bos>} are left out. */
    String decode(int[] ids, boolean skipSpecial);

    /** The piece string of one id (e.g. {@code ▁the}, {@code <0x0A>}, {@code <eos>}). */
    String token(int id);

    /** The id of a vocabulary piece such as {@code <end_of_turn>}, if it exists. */
    OptionalInt tokenId(String token);

    int vocabSize();

    int bosId();

    int eosId();

    /** A decoder that turns generated ids into text pieces without ever splitting a UTF-8 character. */
    StreamDecoder newStreamDecoder();

    @Override
    void close();
}
