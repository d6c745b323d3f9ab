package dev.gemma4j.tokenizer;

/**
 * The tokenizer section of a GGUF file ({@code tokenizer.ggml.*} with {@code tokenizer.ggml.model = "llama"},
 * i.e. SentencePiece), as plain arrays, so that {@link SentencePieceTokenizer} does not depend on how the
 * file was read. Ids absent from the file are -1. The arrays are not copied: hand over arrays nobody changes
 * afterwards. Nothing is checked here; {@link SentencePieceTokenizer#create} validates.
 *
 * @param tokens         {@code tokenizer.ggml.tokens}: the piece of each id ({@code ▁} = space)
 * @param scores         {@code tokenizer.ggml.scores}: merge priority of each piece, higher merges first
 * @param tokenTypes     {@code tokenizer.ggml.token_type}: {@link #NORMAL}, {@link #UNKNOWN}, {@link #CONTROL},
 *                       {@link #USER_DEFINED}, {@link #UNUSED} or {@link #BYTE}
 * @param bosId          {@code tokenizer.ggml.bos_token_id}
 * @param eosId          {@code tokenizer.ggml.eos_token_id} (Gemma 3 files name {@code <end_of_turn>} here)
 * @param unkId          {@code tokenizer.ggml.unknown_token_id}
 * @param padId          {@code tokenizer.ggml.padding_token_id}
 * @param addBosToken    {@code tokenizer.ggml.add_bos_token}
 * @param addSpacePrefix {@code tokenizer.ggml.add_space_prefix} (SentencePiece's dummy prefix; false for Gemma)
 */
public record GgufVocabulary(String[] tokens, float[] scores, int[] tokenTypes, int bosId, int eosId, int unkId,
        int padId, boolean addBosToken, boolean addSpacePrefix) {

    /** Token types, as GGUF and SentencePiece number them. */
    public static final int NORMAL = 1;
    public static final int UNKNOWN = 2;
    public static final int CONTROL = 3;
    public static final int USER_DEFINED = 4;
    public static final int UNUSED = 5;
    public static final int BYTE = 6;

    /** The GGUF metadata keys, for callers that read them and for error messages. */
    public static final String KEY_MODEL = "tokenizer.ggml.model";
    public static final String KEY_TOKENS = "tokenizer.ggml.tokens";
    public static final String KEY_SCORES = "tokenizer.ggml.scores";
    public static final String KEY_TOKEN_TYPE = "tokenizer.ggml.token_type";
    public static final String KEY_BOS = "tokenizer.ggml.bos_token_id";
    public static final String KEY_EOS = "tokenizer.ggml.eos_token_id";
    public static final String KEY_UNK = "tokenizer.ggml.unknown_token_id";
    public static final String KEY_PAD = "tokenizer.ggml.padding_token_id";
    public static final String KEY_ADD_BOS = "tokenizer.ggml.add_bos_token";
    public static final String KEY_ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";
    public static final String KEY_CHAT_TEMPLATE = "tokenizer.chat_template";
}
