package dev.gemma4j.chat;

import com.hubspot.jinjava.interpret.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds filters ({@code x | name}) and tests ({@code x is name}) that a template uses but the environment
 * lacks. Python Jinja refuses such a template; Jinjava renders it and silently yields nothing for the
 * unknown filter or false for the unknown test, so without this check a template using, say, Jinja's
 * {@code items} filter would quietly produce a wrong prompt.
 */
final class TemplateCheck {
    private static final Pattern END_RAW = Pattern.compile("\\{%[-+]?\\s*endraw\\s*[-+]?%}");

    private TemplateCheck() {
    }

    /** A description of the first unknown filter or test, or empty when every name is known. */
    static Optional<String> unknownName(String template, Context environment) {
        int i = 0;
        while ((i = template.indexOf('{', i)) >= 0 && i + 1 < template.length()) {
            char kind = template.charAt(i + 1);
            if (kind == '#') {
                int end = template.indexOf("#}", i + 2);
                i = end < 0 ? template.length() : end + 2;
                continue;
            }
            if (kind != '{' && kind != '%') {
                i++;
                continue;
            }
            List<String> tokens = new ArrayList<>();
            i = tokenize(template, i + 2, kind == '{' ? "}}" : "%}", tokens);
            if (tokens.contains("raw") && tokens.size() <= 3) {
                Matcher end = END_RAW.matcher(template);
                i = end.find(i) ? end.end() : template.length();
                continue;
            }
            Optional<String> unknown = unknownIn(tokens, environment);
            if (unknown.isPresent()) {
                return unknown;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> unknownIn(List<String> tokens, Context environment) {
        for (int t = 0; t + 1 < tokens.size(); t++) {
            String next = tokens.get(t + 1);
            if (tokens.get(t).equals("|") && isName(next) && environment.getFilter(next) == null) {
                return Optional.of("no filter named '" + next + "'");
            }
            if (tokens.get(t).equals("is")) {
                String test = next.equals("not") && t + 2 < tokens.size() ? tokens.get(t + 2) : next;
                if (isName(test) && environment.getExpTest(test) == null) {
                    return Optional.of("no test named '" + test + "'");
                }
            }
        }
        return Optional.empty();
    }

    /** Splits a tag's body into names and single symbols, string literals as {@code ""}; returns the end. */
    private static int tokenize(String s, int from, String close, List<String> tokens) {
        int j = from;
        while (j < s.length() && !s.startsWith(close, j)) {
            char c = s.charAt(j);
            if (c == '\'' || c == '"') {
                j++;
                while (j < s.length() && s.charAt(j) != c) {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                tokens.add("\"\"");
                j++;
            } else if (Character.isLetter(c) || c == '_') {
                int k = j;
                while (k < s.length() && (Character.isLetterOrDigit(s.charAt(k)) || s.charAt(k) == '_')) {
                    k++;
                }
                tokens.add(s.substring(j, k));
                j = k;
            } else {
                if (!Character.isWhitespace(c)) {
                    tokens.add(String.valueOf(c));
                }
                j++;
            }
        }
        return Math.min(j + close.length(), s.length());
    }

    private static boolean isName(String token) {
        return !token.isEmpty() && (Character.isLetter(token.charAt(0)) || token.charAt(0) == '_');
    }
}
