package dev.gemma4j.tokenizer;

/**
 * Incremental detokenization for streaming. {@link #push} returns the text that became final with this
 * token (possibly empty: a byte-fallback token can hold part of a character, and the word-boundary
 * handling of SentencePiece may need the next token); {@link #flush} returns whatever is left. The
 * concatenation of everything returned equals {@code decode(allIds, skipSpecial)}. Not thread-safe.
 */
public interface StreamDecoder {
    String push(int id);

    String flush();
}
