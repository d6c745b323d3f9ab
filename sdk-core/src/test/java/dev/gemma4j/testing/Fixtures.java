package dev.gemma4j.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds {@code ../shared/fixtures} relative to the repository root. Outside CI a missing directory skips
 * the test; under {@code CI=true} it fails, because CI always has {@code ../shared} beside the clone.
 */
public final class Fixtures {
    /** The three tiny checkpoints, one per Gemma generation. */
    public static final List<String> MODELS = List.of("tiny-gemma", "tiny-gemma2", "tiny-gemma3");

    private Fixtures() {
    }

    public static Path root() {
        Path repo = repoRoot();
        Path fixtures = repo.resolveSibling("shared").resolve("fixtures");
        if (!Files.isDirectory(fixtures)) {
            String message = "shared fixtures not found at " + fixtures.toAbsolutePath()
                    + " (clone the repository beside ../shared)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            assumeTrue(false, message);
        }
        return fixtures;
    }

    public static Path model(String name) {
        return root().resolve(name);
    }

    public static Path golden(String model, String file) {
        return model(model).resolve("golden").resolve(file);
    }

    /** The repository root: set by the build as {@code gemma4j.root}, else found by walking up to .mvn. */
    public static Path repoRoot() {
        String configured = System.getProperty("gemma4j.root");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve(".mvn"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new AssertionError("cannot find the repository root (no .mvn directory above "
                    + Path.of("").toAbsolutePath() + ")");
        }
        return dir;
    }
}
