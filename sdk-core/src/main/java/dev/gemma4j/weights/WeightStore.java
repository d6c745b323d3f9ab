package dev.gemma4j.weights;

import dev.gemma4j.ModelFormatException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * The tensors of one checkpoint, memory-mapped and bounds-checked when opened. Thread-safe. Closing it
 * unmaps the files; a tensor read after that fails with {@link IllegalStateException}, never a crash.
 */
public interface WeightStore extends AutoCloseable {

    /** Canonical (Hugging Face) names of every tensor. */
    Set<String> names();

    Optional<Tensor> find(String name);

    /** The tensor, or a {@link ModelFormatException} naming the missing tensor and the checkpoint. */
    default Tensor require(String name) {
        return find(name).orElseThrow(() -> new ModelFormatException(location(), name, "tensor is missing"));
    }

    /**
     * True when norm weights already hold {@code 1 + w} (GGUF); false for Hugging Face checkpoints, whose
     * norms compute {@code x * (1 + w)}.
     */
    boolean normsIncludeOne();

    /** The file or directory the store was opened from. */
    Path location();

    @Override
    void close();
}
