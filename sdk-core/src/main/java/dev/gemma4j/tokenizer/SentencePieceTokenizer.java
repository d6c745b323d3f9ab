package dev.gemma4j.tokenizer;

import static dev.gemma4j.tokenizer.GgufVocabulary.BYTE;
import static dev.gemma4j.tokenizer.GgufVocabulary.CONTROL;
import static dev.gemma4j.tokenizer.GgufVocabulary.NORMAL;
import static dev.gemma4j.tokenizer.GgufVocabulary.UNKNOWN;
import static dev.gemma4j.tokenizer.GgufVocabulary.UNUSED;
import static dev.gemma4j.tokenizer.GgufVocabulary.USER_DEFINED;

import dev.gemma4j.ModelFormatException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.PriorityQueue;

/**
 * A {@link GemmaTokenizer} over the SentencePiece vocabulary a GGUF file carries ({@link GgufVocabulary}), so a
 * lone {@code .gguf} needs no {@code tokenizer.json}. Pure Java, immutable and thread-safe.
 *
 * <p>Encoding:
 * <ol>
 * <li>The text is split at every literal occurrence of a CONTROL, USER_DEFINED or UNKNOWN piece
 *     ({@code <start_of_turn>}, {@code <bos>}, runs of newlines or tabs, {@code <unused0>}, ...); each becomes
 *     that one token. Matching is leftmost-longest on the raw text, as the Hugging Face tokenizer matches its
 *     added tokens (so a piece like {@code ▁▁} matches literal U+2581 characters, not spaces).</li>
 * <li>In the text between, spaces become {@code ▁} (U+2581), with a leading {@code ▁} if the vocabulary asks
 *     for a space prefix (Gemma's does not).</li>
 * <li>SentencePiece BPE: starting from single code points, the adjacent pair whose concatenation is a piece
 *     with the highest score is merged (equal scores: the leftmost pair), until no pair is a piece. A code
 *     point that is no piece becomes byte-fallback tokens {@code <0xNN>}, one per UTF-8 byte.</li>
 * </ol>
 * Decoding concatenates pieces with {@code ▁} read as a space; runs of byte pieces are decoded together as
 * UTF-8, and a run that is not valid UTF-8 becomes one U+FFFD per byte (as the {@code tokenizers} library's
 * ByteFallback decoder does). With {@code skipSpecial}, CONTROL pieces are left out.
 */
public final class SentencePieceTokenizer implements GemmaTokenizer {
    private static final char SPACE_MARK = '\u2581';

    private final Path source;
    private final String[] pieces;
    /** Pieces as decoded text ({@code ▁} -> space); the same String object when there is nothing to replace. */
    private final String[] texts;
    private final float[] scores;
    private final byte[] types;
    private final Map<String, Integer> ids;
    /** Token id of each byte value's {@code <0xNN>} piece, or -1. */
    private final int[] byteIds = new int[256];
    private final SpecialMatcher specials;
    private final int bosId;
    private final int eosId;
    private final int declaredEosId;
    private final int unkId;
    private final int padId;
    private final boolean addBosToken;
    private final boolean addSpacePrefix;

    private SentencePieceTokenizer(Path source, GgufVocabulary v) {
        this.source = source;
        this.pieces = v.tokens();
        this.scores = v.scores();
        int n = pieces.length;
        this.types = new byte[n];
        this.texts = new String[n];
        this.ids = HashMap.newHashMap(n);
        Arrays.fill(byteIds, -1);
        Map<String, Integer> specialIds = new HashMap<>();
        for (int id = 0; id < n; id++) {
            String piece = pieces[id];
            int type = v.tokenTypes()[id];
            types[id] = (byte) type;
            texts[id] = piece.indexOf(SPACE_MARK) >= 0 ? piece.replace(SPACE_MARK, ' ') : piece;
            // On duplicate pieces the lowest id wins.
            ids.putIfAbsent(piece, id);
            if (type == BYTE) {
                int b = byteValue(piece);
                if (b < 0) {
                    throw new ModelFormatException(source, GgufVocabulary.KEY_TOKEN_TYPE,
                            "token " + id + " is of type BYTE but its piece is not <0xNN>: " + piece);
                }
                if (byteIds[b] < 0) {
                    byteIds[b] = id;
                }
            } else if ((type == CONTROL || type == USER_DEFINED || type == UNKNOWN) && !piece.isEmpty()) {
                specialIds.putIfAbsent(piece, id);
            }
        }
        this.specials = new SpecialMatcher(specialIds);
        this.bosId = v.bosId();
        this.declaredEosId = v.eosId();
        // Like HfGemmaTokenizer: eosId() is <eos> in every Gemma generation, even when the file names
        // <end_of_turn> as eos (Gemma 3); generation adds <end_of_turn> as a stop token by itself.
        Integer eosPiece = ids.get("<eos>");
        this.eosId = eosPiece != null && types[eosPiece] == CONTROL ? eosPiece : v.eosId();
        this.unkId = v.unkId();
        this.padId = v.padId();
        this.addBosToken = v.addBosToken();
        this.addSpacePrefix = v.addSpacePrefix();
    }

    /**
     * Builds the tokenizer and checks the vocabulary; {@code source} (the GGUF file) names the file in errors.
     *
     * @throws ModelFormatException naming the GGUF key that is missing or inconsistent
     */
    public static SentencePieceTokenizer create(GgufVocabulary vocabulary, Path source) {
        validate(vocabulary, source);
        return new SentencePieceTokenizer(source, vocabulary);
    }

    private static void validate(GgufVocabulary v, Path source) {
        if (v.tokens() == null) {
            throw new ModelFormatException(source, GgufVocabulary.KEY_TOKENS, "missing");
        }
        int n = v.tokens().length;
        if (n == 0) {
            throw new ModelFormatException(source, GgufVocabulary.KEY_TOKENS, "empty");
        }
        for (int id = 0; id < n; id++) {
            if (v.tokens()[id] == null) {
                throw new ModelFormatException(source, GgufVocabulary.KEY_TOKENS, "token " + id + " is null");
            }
        }
        if (v.scores() == null) {
            throw new ModelFormatException(source, GgufVocabulary.KEY_SCORES, "missing");
        }
        if (v.scores().length != n) {
            throw new ModelFormatException(source, GgufVocabulary.KEY_SCORES,
                    v.scores().length + " entries for " + n + " tokens");
        }
        if (v.tokenTypes() == null) {
            throw new ModelFormatException(source, GgufVocabulary.KEY_TOKEN_TYPE, "missing");
        }
        if (v.tokenTypes().length != n) {
            throw new ModelFormatException(source, GgufVocabulary.KEY_TOKEN_TYPE,
                    v.tokenTypes().length + " entries for " + n + " tokens");
        }
        for (int id = 0; id < n; id++) {
            int type = v.tokenTypes()[id];
            if (type < NORMAL || type > BYTE) {
                throw new ModelFormatException(source, GgufVocabulary.KEY_TOKEN_TYPE,
                        "token " + id + " has type " + type + ", expected 1..6");
            }
        }
        checkId(source, GgufVocabulary.KEY_BOS, v.bosId(), n, true);
        checkId(source, GgufVocabulary.KEY_EOS, v.eosId(), n, true);
        checkId(source, GgufVocabulary.KEY_UNK, v.unkId(), n, false);
        checkId(source, GgufVocabulary.KEY_PAD, v.padId(), n, false);
    }

    private static void checkId(Path source, String key, int id, int n, boolean required) {
        if (id < 0 && required) {
            throw new ModelFormatException(source, key, "missing");
        }
        if (id >= n || id < -1) {
            throw new ModelFormatException(source, key, "id " + id + " outside [0, " + n + ")");
        }
    }

    // ---------------------------------------------------------------- encoding

    @Override
    public int[] encode(String text, boolean addBos) {
        IntBuffer out = new IntBuffer(Math.max(8, text.length() / 3));
        if (addBos) {
            out.add(bosId);
        }
        int n = text.length();
        int fragmentStart = 0;
        int i = 0;
        while (i < n) {
            long match = specials.matchAt(text, i);
            if (match < 0) {
                i++;
                continue;
            }
            if (i > fragmentStart) {
                encodeFragment(text, fragmentStart, i, out);
            }
            out.add((int) match);
            i += (int) (match >>> 32);
            fragmentStart = i;
        }
        if (n > fragmentStart) {
            encodeFragment(text, fragmentStart, n, out);
        }
        return out.toArray();
    }

    /** A piece BPE may produce: anything but byte-fallback and unused pieces. */
    private int mergeable(String piece) {
        Integer id = ids.get(piece);
        if (id == null) {
            return -1;
        }
        int type = types[id];
        return type == BYTE || type == UNUSED ? -1 : id;
    }

    private record Candidate(float score, int left, int right, int size) {
    }

    private static int compare(Candidate a, Candidate b) {
        int c = Float.compare(b.score, a.score); // higher score first
        return c != 0 ? c : Integer.compare(a.left, b.left); // then leftmost
    }

    private void encodeFragment(String text, int from, int to, IntBuffer out) {
        String prefix = addSpacePrefix && from == 0 ? String.valueOf(SPACE_MARK) : "";
        String s = prefix + text.substring(from, to).replace(' ', SPACE_MARK);
        int len = s.length();
        // Symbols: one per code point, as a doubly linked list over start offsets and lengths (in chars).
        int[] start = new int[len];
        int[] size = new int[len];
        int[] prev = new int[len];
        int[] next = new int[len];
        int count = 0;
        for (int pos = 0; pos < len; ) {
            int cpLen = Character.charCount(s.codePointAt(pos));
            start[count] = pos;
            size[count] = cpLen;
            prev[count] = count - 1;
            next[count] = count + 1;
            count++;
            pos += cpLen;
        }
        next[count - 1] = -1;
        PriorityQueue<Candidate> queue = new PriorityQueue<>(Math.max(1, count), SentencePieceTokenizer::compare);
        for (int sym = 0; sym + 1 < count; sym++) {
            offer(queue, s, start, size, sym, sym + 1);
        }
        while (!queue.isEmpty()) {
            Candidate c = queue.poll();
            int left = c.left;
            int right = c.right;
            // Stale when either side has been merged away or grown since the candidate was made.
            if (size[left] == 0 || size[right] == 0 || next[left] != right || size[left] + size[right] != c.size) {
                continue;
            }
            size[left] += size[right];
            size[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                offer(queue, s, start, size, prev[left], left);
            }
            if (next[left] >= 0) {
                offer(queue, s, start, size, left, next[left]);
            }
        }
        for (int sym = 0; sym >= 0; sym = next[sym]) {
            String piece = s.substring(start[sym], start[sym] + size[sym]);
            int id = mergeable(piece);
            if (id >= 0) {
                out.add(id);
            } else {
                byteFallback(piece, out);
            }
        }
    }

    private void offer(PriorityQueue<Candidate> queue, String s, int[] start, int[] size, int left, int right) {
        int end = start[right] + size[right];
        int id = mergeable(s.substring(start[left], end));
        if (id >= 0) {
            queue.add(new Candidate(scores[id], left, right, end - start[left]));
        }
    }

    /** A code point that is no piece: its UTF-8 bytes as {@code <0xNN>} tokens (unknown if one is missing). */
    private void byteFallback(String symbol, IntBuffer out) {
        int cp = symbol.codePointAt(0);
        if (Character.isSurrogate((char) cp) && Character.charCount(cp) == 1) {
            cp = 0xFFFD; // a lone surrogate in the Java string: not encodable, take the replacement character
        }
        byte[] utf8 = new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte b : utf8) {
            int id = byteIds[b & 0xFF];
            out.add(id >= 0 ? id : unkId >= 0 ? unkId : 0);
        }
    }

    // ---------------------------------------------------------------- decoding

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        PieceDecoder decoder = new PieceDecoder(this, skipSpecial);
        StringBuilder text = new StringBuilder(ids.length * 4);
        for (int id : ids) {
            checkId(id);
            text.append(decoder.push(id));
        }
        return text.append(decoder.flush()).toString();
    }

    @Override
    public StreamDecoder newStreamDecoder() {
        return new PieceDecoder(this, false);
    }

    /** The decoder that both {@link #decode} and streaming run, so they agree by construction. */
    private static final class PieceDecoder implements StreamDecoder {
        private final SentencePieceTokenizer tokenizer;
        private final boolean skipSpecial;
        private byte[] bytes = new byte[16];
        private int byteCount;
        private boolean started;

        PieceDecoder(SentencePieceTokenizer tokenizer, boolean skipSpecial) {
            this.tokenizer = tokenizer;
            this.skipSpecial = skipSpecial;
        }

        @Override
        public String push(int id) {
            tokenizer.checkId(id);
            int type = tokenizer.types[id];
            if (skipSpecial && type == CONTROL) {
                return "";
            }
            if (type == BYTE) {
                if (byteCount == bytes.length) {
                    bytes = Arrays.copyOf(bytes, byteCount * 2);
                }
                bytes[byteCount++] = (byte) byteValue(tokenizer.pieces[id]);
                return ""; // a byte run is final only once a non-byte piece closes it
            }
            String piece = tokenizer.texts[id];
            if (type == CONTROL && byteCount == 0) {
                return piece; // <bos> and the like do not take the place of the first text piece
            }
            if (byteCount == 0) {
                return strip(piece);
            }
            return strip(drainBytes()) + piece;
        }

        @Override
        public String flush() {
            String rest = byteCount == 0 ? "" : strip(drainBytes());
            started = false;
            return rest;
        }

        /** SentencePiece's dummy prefix: the first space of a decoding is the one encode added. */
        private String strip(String text) {
            if (started || text.isEmpty()) {
                return text;
            }
            started = true;
            return tokenizer.addSpacePrefix && text.charAt(0) == ' ' ? text.substring(1) : text;
        }

        private String drainBytes() {
            String text = utf8OrReplacement(bytes, byteCount);
            byteCount = 0;
            return text;
        }
    }

    /** The run as UTF-8, or one U+FFFD per byte when it is not valid UTF-8 as a whole. */
    private static String utf8OrReplacement(byte[] bytes, int count) {
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes, 0, count))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return "\uFFFD".repeat(count);
        }
    }

    /** The byte of a {@code <0xNN>} piece, or -1. */
    private static int byteValue(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(piece.charAt(3), 16);
        int lo = Character.digit(piece.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
    }

    // ---------------------------------------------------------------- lookups

    @Override
    public String token(int id) {
        checkId(id);
        return pieces[id];
    }

    @Override
    public OptionalInt tokenId(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    /** {@code <eos>} when the vocabulary has it as a control piece, else the file's eos id. */
    @Override
    public int eosId() {
        return eosId;
    }

    /** {@code tokenizer.ggml.eos_token_id} as the file states it ({@code <end_of_turn>} for Gemma 3). */
    public int declaredEosId() {
        return declaredEosId;
    }

    /** {@code tokenizer.ggml.unknown_token_id}, or -1. */
    public int unkId() {
        return unkId;
    }

    /** {@code tokenizer.ggml.padding_token_id}, or -1. */
    public int padId() {
        return padId;
    }

    /** Whether the file asks for {@code <bos>} at the start of a prompt ({@code tokenizer.ggml.add_bos_token}). */
    public boolean addBosToken() {
        return addBosToken;
    }

    /** The token type of {@code id} ({@link GgufVocabulary#NORMAL} ... {@link GgufVocabulary#BYTE}). */
    public int tokenType(int id) {
        checkId(id);
        return types[id];
    }

    /** The GGUF file the vocabulary came from (may be null). */
    public Path source() {
        return source;
    }

    @Override
    public void close() {
        // Nothing to free: the tokenizer is plain Java objects.
    }

    private void checkId(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " outside [0, " + pieces.length + ")");
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Leftmost-longest matching of special pieces: for each first character, the distinct lengths of the
     * pieces starting with it (longest first), tried as hash lookups.
     */
    private static final class SpecialMatcher {
        private final Map<String, Integer> ids;
        private final Map<Character, int[]> lengthsByFirst;

        SpecialMatcher(Map<String, Integer> ids) {
            this.ids = ids;
            Map<Character, java.util.TreeSet<Integer>> lengths = new HashMap<>();
            ids.keySet().forEach(piece -> lengths
                    .computeIfAbsent(piece.charAt(0), c -> new java.util.TreeSet<>(java.util.Comparator.reverseOrder()))
                    .add(piece.length()));
            this.lengthsByFirst = new HashMap<>();
            lengths.forEach((c, set) -> lengthsByFirst.put(c, set.stream().mapToInt(Integer::intValue).toArray()));
        }

        /** {@code length << 32 | id} of the longest special piece at {@code pos}, or -1. */
        long matchAt(String text, int pos) {
            int[] lengths = lengthsByFirst.get(text.charAt(pos));
            if (lengths == null) {
                return -1;
            }
            int room = text.length() - pos;
            for (int length : lengths) {
                if (length <= room) {
                    Integer id = ids.get(text.substring(pos, pos + length));
                    if (id != null) {
                        return (long) length << 32 | id;
                    }
                }
            }
            return -1;
        }
    }

    private static final class IntBuffer {
        private int[] data;
        private int size;

        IntBuffer(int capacity) {
            data = new int[capacity];
        }

        void add(int value) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = value;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
