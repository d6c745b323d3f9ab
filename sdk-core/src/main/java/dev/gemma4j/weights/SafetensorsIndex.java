package dev.gemma4j.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gemma4j.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code model.safetensors.index.json}: its {@code weight_map} says which shard file holds each tensor. */
final class SafetensorsIndex {
    static final String FILE_NAME = "model.safetensors.index.json";

    private SafetensorsIndex() {
    }

    /** Tensor name (as the shards spell it) to shard file name, in index order. */
    static Map<String, String> weightMap(Path index) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(index);
        } catch (IOException e) {
            throw new ModelFormatException(index, "file", "cannot read: " + e, e);
        }
        ObjectNode root = StrictJson.parseObject(bytes, index, "json");
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new ModelFormatException(index, "weight_map", "must be an object of tensor name to shard file, got " + map);
        }
        Map<String, String> shards = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : map.properties()) {
            JsonNode shard = entry.getValue();
            if (!shard.isTextual() || !isPlainFileName(shard.textValue())) {
                // Shards live beside the index; a path could point anywhere on the disk.
                throw new ModelFormatException(index, entry.getKey(), "shard must be a file name in the model directory, got " + shard);
            }
            shards.put(entry.getKey(), shard.textValue());
        }
        return shards;
    }

    private static boolean isPlainFileName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..")
                && name.indexOf('/') < 0 && name.indexOf('\\') < 0 && name.indexOf('\0') < 0;
    }
}
