package dev.gemma4j.tokenizer;

import static dev.gemma4j.tokenizer.GgufVocabulary.BYTE;
import static dev.gemma4j.tokenizer.GgufVocabulary.CONTROL;
import static dev.gemma4j.tokenizer.GgufVocabulary.NORMAL;
import static dev.gemma4j.tokenizer.GgufVocabulary.UNKNOWN;
import static dev.gemma4j.tokenizer.GgufVocabulary.UNUSED;
import static dev.gemma4j.tokenizer.GgufVocabulary.USER_DEFINED;

import dev.gemma4j.ModelFormatException;
import dev.gemma4j.gguf.GgufFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A {@link GemmaTokenizer} over the SentencePiece vocabulary a GGUF file carries ({@link GgufVocabulary}), so a
 * lone {@code .gguf} needs no {@code tokenizer.json}. Pure Java, immutable and thread-safe.
 *
 * <p>Encoding:
 * <ol>
 * <li>The text is split at every literal occurrence of a CONTROL, USER_DEFINED or UNKNOWN piece
 *     ({@code <start_of_turn>}, {@code <bos>}, runs of newlines or tabs, {@code <unused0>}, ...); each becomes
 *     that one token. Matching is leftmost-longest on the raw text, as the Hugging Face tokenizer matches its
 *     added tokens. GGUF files (llama.cpp's converter) store user-defined pieces with spaces instead of
 *     {@code ▁}, so {@code ▁▁} (stored as two spaces) matches two spaces of the text, as in llama.cpp;
 *     {@link #token} and {@link #tokenId} still use the {@code ▁} form.</li>
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
    /**
     * Pieces as decoded text ({@code ▁} -> space), filled on first use: a benign race, since Strings are
     * immutable and safely published through their final fields, so threads at worst compute one twice.
     */
    private final String[] texts;
    private final float[] scores;
    private final byte[] types;
    /** Piece -> id, by the pieces as the file stores them (what BPE looks up, without allocating). */
    private final PieceTable ids;
    /** The {@code ▁} form of user-defined pieces the file stores with spaces ({@code ▁▁} for "  "). */
    private final Map<String, Integer> aliases = new HashMap<>();
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
        this.scores = v.scores();
        int n = v.tokens().length;
        this.pieces = new String[n];
        this.types = new byte[n];
        this.texts = new String[n];
        this.ids = new PieceTable(v.tokens());
        Arrays.fill(byteIds, -1);
        Map<String, Integer> specialIds = new HashMap<>();
        for (int id = 0; id < n; id++) {
            String raw = v.tokens()[id];
            int type = v.tokenTypes()[id];
            types[id] = (byte) type;
            // llama.cpp's converter writes user-defined pieces with spaces where SentencePiece has ▁ ("  " for
            // ▁▁); they are matched against the raw text in that form, but shown and looked up as ▁▁ like
            // every other piece (and as tokenizer.json has them).
            String piece = type == USER_DEFINED && raw.indexOf(' ') >= 0 ? raw.replace(' ', SPACE_MARK) : raw;
            pieces[id] = piece;
            if (piece != raw) {
                aliases.putIfAbsent(piece, id);
            }
            if (type == BYTE) {
                int b = byteValue(piece);
                if (b < 0) {
                    throw new ModelFormatException(source, GgufVocabulary.KEY_TOKEN_TYPE,
                            "token " + id + " is of type BYTE but its piece is not <0xNN>: " + piece);
                }
                if (byteIds[b] < 0) {
                    byteIds[b] = id;
                }
            } else if ((type == CONTROL || type == USER_DEFINED || type == UNKNOWN) && !raw.isEmpty()) {
                specialIds.putIfAbsent(raw, id);
            }
        }
        this.specials = new SpecialMatcher(specialIds);
        this.bosId = v.bosId();
        this.declaredEosId = v.eosId();
        // Like HfGemmaTokenizer: eosId() is <eos> in every Gemma generation, even when the file names
        // <end_of_turn> as eos (Gemma 3); generation adds <end_of_turn> as a stop token by itself.
        int eosPiece = ids.get("<eos>");
        this.eosId = eosPiece >= 0 && types[eosPiece] == CONTROL ? eosPiece : v.eosId();
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

    /**
     * The tokenizer of a GGUF file, from its {@code tokenizer.ggml.*} metadata. Absent flags take llama.cpp's
     * defaults ({@code add_bos_token} true, {@code add_space_prefix} true); Gemma files set the latter false.
     *
     * @throws ModelFormatException naming the key, when the file has no SentencePiece ({@code "llama"})
     *                              vocabulary or it is malformed
     */
    public static SentencePieceTokenizer fromGguf(GgufFile gguf) {
        Path file = gguf.path();
        String model = gguf.string(GgufVocabulary.KEY_MODEL).orElseThrow(() -> new ModelFormatException(file,
                GgufVocabulary.KEY_MODEL, "missing: the file has no tokenizer"));
        if (!model.equals("llama")) {
            throw new ModelFormatException(file, GgufVocabulary.KEY_MODEL, "is \"" + model
                    + "\"; only SentencePiece vocabularies (\"llama\") are supported");
        }
        GgufVocabulary vocabulary = new GgufVocabulary(
                gguf.stringArray(GgufVocabulary.KEY_TOKENS),
                gguf.has(GgufVocabulary.KEY_SCORES) ? gguf.floatArray(GgufVocabulary.KEY_SCORES) : null,
                gguf.has(GgufVocabulary.KEY_TOKEN_TYPE) ? gguf.intArray(GgufVocabulary.KEY_TOKEN_TYPE) : null,
                ggufId(gguf, GgufVocabulary.KEY_BOS), ggufId(gguf, GgufVocabulary.KEY_EOS),
                ggufId(gguf, GgufVocabulary.KEY_UNK), ggufId(gguf, GgufVocabulary.KEY_PAD),
                gguf.bool(GgufVocabulary.KEY_ADD_BOS).orElse(true),
                gguf.bool(GgufVocabulary.KEY_ADD_SPACE_PREFIX).orElse(true));
        return create(vocabulary, file);
    }

    private static int ggufId(GgufFile gguf, String key) {
        OptionalLong id = gguf.integer(key);
        if (id.isEmpty()) {
            return -1;
        }
        if (id.getAsLong() < 0 || id.getAsLong() > Integer.MAX_VALUE) {
            throw new ModelFormatException(gguf.path(), key, "id " + id.getAsLong() + " is not a valid token id");
        }
        return (int) id.getAsLong();
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
    private int mergeable(String s, int from, int to) {
        int id = ids.get(s, from, to);
        if (id < 0) {
            return -1;
        }
        int type = types[id];
        return type == BYTE || type == UNUSED ? -1 : id;
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
        CandidateHeap queue = new CandidateHeap(count);
        for (int sym = 0; sym + 1 < count; sym++) {
            offer(queue, s, start, size, sym, sym + 1);
        }
        while (!queue.isEmpty()) {
            int left = queue.left();
            int pairSize = queue.size();
            queue.pop();
            int right = next[left];
            // A candidate (left, its right neighbour then, their length) is stale when left has been merged
            // into its own left neighbour, or either side has grown since: symbols only ever grow, and a
            // symbol only disappears into its left neighbour, so the length check catches every change.
            if (size[left] == 0 || right < 0 || size[left] + size[right] != pairSize) {
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
            int id = mergeable(s, start[sym], start[sym] + size[sym]);
            if (id >= 0) {
                out.add(id);
            } else {
                byteFallback(s.substring(start[sym], start[sym] + size[sym]), out);
            }
        }
    }

    private void offer(CandidateHeap queue, String s, int[] start, int[] size, int left, int right) {
        int end = start[right] + size[right];
        int id = mergeable(s, start[left], end);
        if (id >= 0) {
            queue.push(scores[id], left, end - start[left]);
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
            String piece = tokenizer.text(id);
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

    private String text(int id) {
        String text = texts[id];
        if (text == null) {
            String piece = pieces[id];
            text = piece.indexOf(SPACE_MARK) >= 0 ? piece.replace(SPACE_MARK, ' ') : piece;
            texts[id] = text;
        }
        return text;
    }

    // ---------------------------------------------------------------- lookups

    @Override
    public String token(int id) {
        checkId(id);
        return pieces[id];
    }

    @Override
    public OptionalInt tokenId(String token) {
        Integer alias = aliases.get(token);
        int id = alias != null ? alias : ids.get(token);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
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

    /**
     * Open-addressing hash table from piece to id (the lowest id for a duplicated piece), looked up by a
     * char range of another string so that BPE allocates nothing per lookup. The hash is String's.
     */
    private static final class PieceTable {
        private final String[] pieces;
        /** id + 1 per slot, 0 = empty. */
        private final int[] slots;
        private final int mask;

        PieceTable(String[] pieces) {
            this.pieces = pieces;
            int capacity = Integer.highestOneBit(Math.max(4, pieces.length) * 2 - 1) << 1; // load <= 1/2
            this.slots = new int[capacity];
            this.mask = capacity - 1;
            for (int id = 0; id < pieces.length; id++) {
                String piece = pieces[id];
                int slot = mix(piece.hashCode()) & mask;
                while (true) {
                    int existing = slots[slot] - 1;
                    if (existing < 0) {
                        slots[slot] = id + 1;
                        break;
                    }
                    if (pieces[existing].equals(piece)) {
                        break; // duplicate: keep the lower id
                    }
                    slot = (slot + 1) & mask;
                }
            }
        }

        /** MurmurHash3's finalizer: String hashes of similar short pieces differ mostly in their low bits. */
        private static int mix(int h) {
            h ^= h >>> 16;
            h *= 0x85EBCA6B;
            h ^= h >>> 13;
            h *= 0xC2B2AE35;
            return h ^ (h >>> 16);
        }

        int get(String key) {
            return get(key, 0, key.length());
        }

        /** The id of {@code s[from, to)}, or -1. */
        int get(String s, int from, int to) {
            int h = 0;
            for (int i = from; i < to; i++) {
                h = 31 * h + s.charAt(i);
            }
            int len = to - from;
            for (int slot = mix(h) & mask; ; slot = (slot + 1) & mask) {
                int id = slots[slot] - 1;
                if (id < 0) {
                    return -1;
                }
                String piece = pieces[id];
                if (piece.length() == len && piece.regionMatches(0, s, from, len)) {
                    return id;
                }
            }
        }
    }

    /**
     * Min-heap of merge candidates, each one long ({@code ~score} in the high half, so higher scores come
     * first, and the left symbol's index in the low half, so equal scores go leftmost first) and the pair's
     * length in chars beside it.
     */
    private static final class CandidateHeap {
        private long[] keys;
        private int[] sizes;
        private int count;

        CandidateHeap(int capacity) {
            keys = new long[Math.max(4, capacity)];
            sizes = new int[keys.length];
        }

        boolean isEmpty() {
            return count == 0;
        }

        int left() {
            return (int) keys[0];
        }

        int size() {
            return sizes[0];
        }

        void push(float score, int left, int size) {
            int bits = Float.floatToIntBits(score);
            int sortable = bits ^ ((bits >> 31) & 0x7FFFFFFF); // int order = float order
            long key = (long) ~sortable << 32 | left;
            if (count == keys.length) {
                keys = Arrays.copyOf(keys, count * 2);
                sizes = Arrays.copyOf(sizes, count * 2);
            }
            int i = count++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (keys[parent] <= key) {
                    break;
                }
                keys[i] = keys[parent];
                sizes[i] = sizes[parent];
                i = parent;
            }
            keys[i] = key;
            sizes[i] = size;
        }

        void pop() {
            long key = keys[--count];
            int size = sizes[count];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= count) {
                    break;
                }
                if (child + 1 < count && keys[child + 1] < keys[child]) {
                    child++;
                }
                if (key <= keys[child]) {
                    break;
                }
                keys[i] = keys[child];
                sizes[i] = sizes[child];
                i = child;
            }
            keys[i] = key;
            sizes[i] = size;
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
