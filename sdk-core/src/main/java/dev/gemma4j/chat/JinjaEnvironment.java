package dev.gemma4j.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.Map;

/**
 * A Jinjava set up to render chat templates the way Hugging Face transformers' Jinja environment does
 * ({@code trim_blocks}, {@code lstrip_blocks}, {@code raise_exception}), with the few Jinjava behaviours
 * that differ from Python Jinja and matter to chat templates replaced. Rendering is thread-safe: every
 * render gets its own interpreter, and this shared instance is only read.
 */
final class JinjaEnvironment {
    static final Jinjava JINJAVA = create();

    private JinjaEnvironment() {
    }

    private static Jinjava create() {
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                // Message text must never be run as template code ("{{ ... }}" in a user message).
                .withNestedInterpretationEnabled(false)
                // Undefined names stay falsy/empty as in Python Jinja ("{% if tools %}"), so fail-on-unknown
                // stays off; real errors are still caught from the render result by ChatTemplate.
                .withFailOnUnknownTokens(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        // "a + b | trim" filters b only, as in Python; "{{- x -}}" strips like Python's.
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
                "", "raise_exception", JinjaEnvironment.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFilter(new PythonTrim());
        jinjava.getGlobalContext().registerExpTest(new PythonIterable());
        return jinjava;
    }

    /** The template's {@code raise_exception(message)}; Jinjava records it as a render error with this cause. */
    public static Object raiseException(String message) {
        throw new TemplateRaise(message);
    }

    static final class TemplateRaise extends RuntimeException {
        TemplateRaise(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * {@code trim} as Python's {@code str.strip()}: Jinjava's strips every char up to U+0020 (control
     * characters too) and keeps no-break and ideographic spaces, which Python strips.
     */
    static final class PythonTrim implements Filter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            String s = var == null ? "" : var.toString();
            String chars = args.length > 0 ? args[0] : null;
            int start = 0;
            int end = s.length();
            while (start < end && strips(s.charAt(start), chars)) {
                start++;
            }
            while (end > start && strips(s.charAt(end - 1), chars)) {
                end--;
            }
            return s.substring(start, end);
        }

        private static boolean strips(char c, String chars) {
            if (chars != null) {
                return chars.indexOf(c) >= 0;
            }
            // Python's str.isspace(): Java's whitespace plus the no-break spaces and NEL.
            return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
        }
    }

    /** {@code is iterable} as in Python, where strings and mappings are iterable (Jinjava says no to both). */
    static final class PythonIterable implements ExpTest {
        @Override
        public String getName() {
            return "iterable";
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof CharSequence || var instanceof Iterable<?> || var instanceof Map<?, ?>
                    || (var != null && var.getClass().isArray());
        }
    }
}
