package dev.gemma4j.weights;

import dev.gemma4j.ModelFormatException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Hugging Face safetensors checkpoint, single-file or sharded, memory-mapped and never copied onto the
 * heap. Every file is mapped on one shared arena owned by the store, so {@link #close()} unmaps them all
 * at once and any later read of a tensor fails with {@link IllegalStateException} instead of a crash.
 *
 * <p>Names are Hugging Face's. A Gemma 3 multimodal checkpoint's text model
 * ({@code language_model.model.*}) is exposed under the text-only names ({@code model.*}); its vision
 * tower and projector are left out, since only the text model runs here.
 */
public final class SafetensorsStore implements WeightStore {
    private static final String SINGLE_FILE = "model.safetensors";
    private static final String LANGUAGE_MODEL = "language_model.";
    private static final List<String> VISION_PREFIXES = List.of("vision_tower.", "multi_modal_projector.");

    private final Path location;
    private final Arena arena;
    private final Map<String, Tensor> tensors;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SafetensorsStore(Path location, Arena arena, Map<String, Tensor> tensors) {
        this.location = location;
        this.arena = arena;
        this.tensors = tensors;
    }

    /**
     * Opens a model directory (its {@code model.safetensors}, else the shards named by
     * {@code model.safetensors.index.json}) or a single {@code .safetensors} file, checking every header
     * against the file sizes before any tensor is handed out.
     */
    public static SafetensorsStore open(Path path) {
        Arena arena = Arena.ofShared();
        try {
            List<Tensor> raw;
            if (!Files.isDirectory(path)) {
                raw = SafetensorsFile.map(path, arena);
            } else if (Files.isRegularFile(path.resolve(SINGLE_FILE))) {
                // transformers also prefers the single file when both forms are present.
                raw = SafetensorsFile.map(path.resolve(SINGLE_FILE), arena);
            } else if (Files.isRegularFile(path.resolve(SafetensorsIndex.FILE_NAME))) {
                raw = shards(path, path.resolve(SafetensorsIndex.FILE_NAME), arena);
            } else {
                throw new ModelFormatException(path, SINGLE_FILE, "the directory has neither " + SINGLE_FILE
                        + " nor " + SafetensorsIndex.FILE_NAME);
            }
            return new SafetensorsStore(path, arena, canonical(raw));
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Maps each shard once and checks that the shards hold exactly what the index says they hold. */
    private static List<Tensor> shards(Path dir, Path index, Arena arena) {
        Map<String, String> weightMap = SafetensorsIndex.weightMap(index);
        Map<String, Tensor> found = new LinkedHashMap<>();
        for (String shardName : new LinkedHashSet<>(weightMap.values())) {
            Path shard = dir.resolve(shardName);
            if (!Files.isRegularFile(shard)) {
                String firstTensor = weightMap.entrySet().stream()
                        .filter(e -> e.getValue().equals(shardName)).findFirst().orElseThrow().getKey();
                throw new ModelFormatException(index, firstTensor, "shard " + shardName + " does not exist in " + dir);
            }
            for (Tensor t : SafetensorsFile.map(shard, arena)) {
                Tensor previous = found.putIfAbsent(t.name(), t);
                if (previous != null) {
                    throw new ModelFormatException(shard, t.name(), "is also in shard " + previous.file().getFileName());
                }
                String listed = weightMap.get(t.name());
                if (!shardName.equals(listed)) {
                    throw new ModelFormatException(shard, t.name(), listed == null
                            ? "is not listed in " + index.getFileName()
                            : "is in this shard but " + index.getFileName() + " places it in " + listed);
                }
            }
        }
        for (Map.Entry<String, String> listed : weightMap.entrySet()) {
            if (!found.containsKey(listed.getKey())) {
                throw new ModelFormatException(dir.resolve(listed.getValue()), listed.getKey(),
                        "is missing from this shard, where " + index.getFileName() + " places it");
            }
        }
        return new ArrayList<>(found.values());
    }

    /** Hugging Face text-model names; two tensors ending up under one name is an error, not a choice. */
    private static Map<String, Tensor> canonical(List<Tensor> raw) {
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (Tensor t : raw) {
            if (VISION_PREFIXES.stream().anyMatch(t.name()::startsWith)) {
                continue;
            }
            Tensor named = t.name().startsWith(LANGUAGE_MODEL)
                    ? new Tensor(t.name().substring(LANGUAGE_MODEL.length()), t.dtype(), t.shape(), t.data(), t.file())
                    : t;
            Tensor clash = byName.putIfAbsent(named.name(), named);
            if (clash != null) {
                throw new ModelFormatException(t.file(), t.name(), "becomes " + named.name()
                        + ", which the checkpoint already holds (in " + clash.file().getFileName() + ")");
            }
        }
        return Collections.unmodifiableMap(byName);
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public Optional<Tensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public boolean normsIncludeOne() {
        return false;
    }

    @Override
    public Path location() {
        return location;
    }

    /** Unmaps every file; safe to call more than once. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }
}
