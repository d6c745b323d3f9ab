package dev.gemma4j.chat;

/** What to do with a leading {@code system} message, which Gemma 1 and 2 templates reject. */
public enum SystemPromptPolicy {
    /**
     * Pass it to the template unchanged: Gemma 1/2 templates raise "System role not supported", Gemma 3's
     * folds it into the first user turn itself.
     */
    TEMPLATE,
    /**
     * Fold it into the first user message as {@code system + "\n\n" + user} before rendering, which is what
     * Gemma 3's template does; this lets Gemma 1/2 take a system prompt. A system message that is not
     * followed by a user message becomes a user message of its own.
     */
    FOLD
}
