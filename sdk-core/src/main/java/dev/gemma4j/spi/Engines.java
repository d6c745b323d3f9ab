package dev.gemma4j.spi;

import dev.gemma4j.EngineNotFoundException;
import dev.gemma4j.GemmaOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Finds engine providers on the classpath and picks the one the options ask for. */
public final class Engines {
    private Engines() {
    }

    /** Every provider on the classpath, highest priority first. */
    public static List<EngineProvider> installed() {
        List<EngineProvider> all = new ArrayList<>();
        ServiceLoader.load(EngineProvider.class).forEach(all::add);
        all.sort(Comparator.comparingInt(EngineProvider::priority).reversed());
        return all;
    }

    /**
     * The provider named by {@code gemma.engine}, or for {@code auto} the highest-priority one that can run
     * here. A name that is not installed, or an engine that cannot run, is an error naming what is there.
     */
    public static EngineProvider select(GemmaOptions options) {
        List<EngineProvider> all = installed();
        String wanted = options.engine();
        if (all.isEmpty()) {
            throw new EngineNotFoundException("no gemma4j engine is on the classpath: add a dependency on "
                    + "dev.gemma4j:gemma4j-engine-native (or -pytorch, -onnx)");
        }
        if (wanted.equals("auto")) {
            for (EngineProvider p : all) {
                if (p.unavailableReason(options).isEmpty()) {
                    return p;
                }
            }
            throw new EngineNotFoundException("no installed engine can run here: " + all.stream()
                    .map(p -> p.name() + " (" + p.unavailableReason(options).orElse("") + ")")
                    .collect(Collectors.joining("; ")));
        }
        for (EngineProvider p : all) {
            if (p.name().equals(wanted)) {
                Optional<String> why = p.unavailableReason(options);
                if (why.isPresent()) {
                    throw new EngineNotFoundException("engine '" + wanted + "' cannot run: " + why.get());
                }
                return p;
            }
        }
        throw new EngineNotFoundException("engine '" + wanted + "' (" + GemmaOptions.ENGINE
                + ") is not on the classpath; installed: "
                + all.stream().map(EngineProvider::name).collect(Collectors.joining(", "))
                + " (add dev.gemma4j:gemma4j-engine-" + wanted + " to use it)");
    }
}
