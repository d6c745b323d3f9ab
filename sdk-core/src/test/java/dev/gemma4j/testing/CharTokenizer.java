package dev.gemma4j.testing;

import dev.gemma4j.tokenizer.GemmaTokenizer;
import dev.gemma4j.tokenizer.StreamDecoder;
import java.util.OptionalInt;

/** Id i (>= 3) is the character 'a' + (i - 3) % 26; 0..2 are pad, eos, bos. For loop tests only. */
public final class CharTokenizer implements GemmaTokenizer {
    private final int vocab;

    public CharTokenizer(int vocab) {
        this.vocab = vocab;
    }

    @Override
    public int[] encode(String text, boolean addBos) {
        int[] ids = new int[text.length() + (addBos ? 1 : 0)];
        int i = 0;
        if (addBos) {
            ids[i++] = 2;
        }
        for (char ch : text.toCharArray()) {
            ids[i++] = 3 + (ch - 'a');
        }
        return ids;
    }

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) {
            b.append(token(id));
        }
        return b.toString();
    }

    @Override
    public String token(int id) {
        return id < 3 ? "" : String.valueOf((char) ('a' + (id - 3) % 26));
    }

    @Override
    public OptionalInt tokenId(String token) {
        return OptionalInt.empty();
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int bosId() {
        return 2;
    }

    @Override
    public int eosId() {
        return 1;
    }

    @Override
    public StreamDecoder newStreamDecoder() {
        return new StreamDecoder() {
            @Override
            public String push(int id) {
                return token(id);
            }

            @Override
            public String flush() {
                return "";
            }
        };
    }

    @Override
    public void close() {
    }
}
