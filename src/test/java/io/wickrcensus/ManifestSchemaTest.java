package io.wickrcensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests validate against the API's own schemas, offline, as {@code kubectl
 * apply} on an API server would (npm's {@code kubernetes-models}, the schemas of Kubernetes 1.32,
 * pinned by src/test/k8s/package-lock.json): a field the server requires, a wrong type or an
 * unknown field fails the build. The validator is shown to fail on planted mistakes.
 */
class ManifestSchemaTest {

    private static final Path TOOL = Path.of("target", "k8s-validate").toAbsolutePath();

    record Result(int code, String out) {
    }

    @BeforeAll
    static void install() throws Exception {
        boolean node = new ProcessBuilder("bash", "-c", "command -v node && command -v npm").start().waitFor() == 0;
        Assumptions.assumeTrue(node || System.getenv("CI") != null, "node and npm (CI installs them)");
        Files.createDirectories(TOOL);
        for (String f : List.of("package.json", "package-lock.json", "validate.mjs")) {
            Files.copy(Path.of("src", "test", "k8s", f), TOOL.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(TOOL.resolve("node_modules").resolve("kubernetes-models"))) {
            Result r = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"));
            assertThat(r.code()).as(r.out()).isZero();
        }
    }

    private static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(TOOL.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private static Result validate(List<Path> files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("node", "validate.mjs"));
        files.forEach(f -> cmd.add(f.toAbsolutePath().toString()));
        return run(cmd);
    }

    private static List<Path> manifests() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("config", "k8s"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void theShippedManifestsValidate() throws Exception {
        Result r = validate(manifests());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out().lines().filter(l -> l.endsWith(": valid")))
                .as(r.out()).hasSize(4)
                .anyMatch(l -> l.contains("CronJob wickr-census:")).anyMatch(l -> l.contains("CronJob wickr-census-sharded:"))
                .anyMatch(l -> l.contains("ServiceAccount wickr-census:")).anyMatch(l -> l.contains("Secret wickr-census-db:"));
    }

    /** The mistake of #25 (a pod condition without its status), a wrong type and an unknown kind are each caught. */
    @Test
    void theValidatorFailsOnPlantedMistakes() throws Exception {
        String cronjob = Files.readString(Path.of("config", "k8s", "cronjob.yaml"));
        Path dir = io.wickrcensus.testing.TestFiles.dir("k8s-planted");
        Path noStatus = dir.resolve("no-status.yaml");
        Files.writeString(noStatus, cronjob.replace("type: DisruptionTarget, status: \"True\"", "type: DisruptionTarget"));
        Path wrongType = dir.resolve("wrong-type.yaml");
        Files.writeString(wrongType, cronjob.replace("backoffLimit: 6", "backoffLimit: six"));
        Path unknownKind = dir.resolve("unknown-kind.yaml");
        Files.writeString(unknownKind, "apiVersion: v1\nkind: Frobnicator\nmetadata: { name: x }\n");
        for (Path planted : List.of(noStatus, wrongType, unknownKind)) {
            assertThat(Files.readString(planted)).isNotEqualTo(cronjob);
            Result r = validate(List.of(planted));
            assertThat(r.code()).as(planted + ": " + r.out()).isEqualTo(1);
            assertThat(r.out()).contains("INVALID");
        }
        assertThat(validate(List.of(noStatus)).out()).contains("onPodConditions/0 must have required property status");
    }
}
