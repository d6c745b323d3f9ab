package dev.gemma4j.chat;

import dev.gemma4j.GemmaException;

/**
 * A chat template refused a conversation ({@code raise_exception(...)}, e.g. "System role not supported")
 * or failed to render. The message names the template's source; {@link #templateMessage()} is the text the
 * template raised (or the renderer's error) unchanged, for callers that match on it.
 */
public class ChatTemplateException extends GemmaException {
    private final String templateMessage;

    public ChatTemplateException(String source, String templateMessage) {
        super("chat template " + source + ": " + templateMessage);
        this.templateMessage = templateMessage;
    }

    public String templateMessage() {
        return templateMessage;
    }
}
