package io.wickrcensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The shipped deployment files work as written: the Kubernetes manifests run the image the
 * Dockerfile builds, without a shell, at the "restricted" pod security level, writing to S3, with
 * only environment variables the job reads; the Dockerfile runs java as PID 1, as a non-root UID,
 * from Spring Boot's layers.
 */
class DeploymentFilesTest {

    static final Path K8S = Path.of("config", "k8s");
    /** Read by the AWS SDK itself, not by name in the job's code. */
    static final Set<String> SDK_READS = Set.of("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
            "AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");

    static String version() throws IOException {
        Matcher m = Pattern.compile("<artifactId>wickr-census</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(m.find()).isTrue();
        return m.group(1).replace("-SNAPSHOT", "");
    }

    /** Every environment variable name the job's code asks for by name. */
    static Set<String> namesTheJobReads() throws IOException {
        Set<String> names = new TreeSet<>();
        Pattern literal = Pattern.compile("\"((?:CENSUS|AWS)_[A-Z0-9_]+|JOB_COMPLETION_INDEX)\"");
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = literal.matcher(Files.readString(f));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String... path) {
        Object cur = o;
        for (String p : path) {
            assertThat(cur).as("%s in %s", p, String.join(".", path)).isInstanceOf(Map.class);
            cur = ((Map<String, Object>) cur).get(p);
        }
        return (Map<String, Object>) cur;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        return (List<Map<String, Object>>) m.get(key);
    }

    static List<Map<String, Object>> documents() throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object d : new Yaml().loadAll(Files.readString(f))) {
                    if (d != null) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> doc = (Map<String, Object>) d;
                        doc.put("#file", f.getFileName().toString());
                        docs.add(doc);
                    }
                }
            }
        }
        return docs;
    }

    @Test
    void everyPodRunsTheImageWithoutAShellAtTheRestrictedLevelWritingToS3() throws Exception {
        List<Map<String, Object>> docs = documents();
        Set<String> defined = new TreeSet<>();
        docs.forEach(d -> defined.add(d.get("kind") + "/" + map(d, "metadata").get("name")));
        Set<String> reads = namesTheJobReads();
        assertThat(reads).contains("CENSUS_OUTPUT_DIR", "CENSUS_NETWORK_IDS", "CENSUS_SHARDS", "JOB_COMPLETION_INDEX",
                "CENSUS_COMPLETE_IS_SUCCESS", "CENSUS_DB_PASSWORD");
        String image = "registry.example.com/wickr-census:" + version();
        int pods = 0;
        for (Map<String, Object> doc : docs) {
            if (!"CronJob".equals(doc.get("kind")) && !"Job".equals(doc.get("kind"))) {
                continue;
            }
            String where = doc.get("#file") + " " + map(doc, "metadata").get("name");
            Map<String, Object> job = "CronJob".equals(doc.get("kind")) ? map(doc, "spec", "jobTemplate", "spec") : map(doc, "spec");
            Map<String, Object> pod = map(job, "template", "spec");
            pods++;
            assertThat(pod.get("restartPolicy")).as(where).isEqualTo("Never");
            assertThat(defined).as(where + ": its ServiceAccount is defined").contains("ServiceAccount/" + pod.get("serviceAccountName"));
            assertThat((Integer) pod.get("terminationGracePeriodSeconds")).as(where + ": room for the job's 25 s SIGTERM stop")
                    .isGreaterThanOrEqualTo(40);
            Map<String, Object> podSecurity = map(pod, "securityContext");
            assertThat(podSecurity.get("runAsNonRoot")).as(where).isEqualTo(true);
            assertThat((Integer) podSecurity.get("runAsUser")).as(where).isPositive();
            assertThat(map(podSecurity, "seccompProfile").get("type")).as(where).isEqualTo("RuntimeDefault");
            String failFor = job.containsKey("backoffLimitPerIndex") ? "FailIndex" : "FailJob";
            // the exit-code table: exactly the codes a scheduler must not retry stop the Job (or the shard)
            assertThat(list(map(job, "podFailurePolicy"), "rules")).as(where).anySatisfy(r -> {
                assertThat(r.get("action")).isEqualTo(failFor);
                assertThat((List<Object>) map(r, "onExitCodes").get("values"))
                        .containsExactlyInAnyOrderElementsOf(io.wickrcensus.job.run.ExitCodes.FINAL);
            });
            assertThat(list(map(job, "podFailurePolicy"), "rules")).as(where + ": evictions do not count")
                    .anySatisfy(r -> assertThat(list(r, "onPodConditions")).singleElement()
                            .satisfies(c -> assertThat(c).containsEntry("type", "DisruptionTarget").containsEntry("status", "True")));
            assertThat(pod.get("automountServiceAccountToken")).as(where + ": no Kubernetes API token").isEqualTo(false);
            assertThat(map(doc, "spec")).as(where).containsKeys("successfulJobsHistoryLimit", "failedJobsHistoryLimit");
            if (job.containsKey("completions")) {
                String shards = list(list(pod, "containers").get(0), "env").stream().filter(e -> "CENSUS_SHARDS".equals(e.get("name")))
                        .map(e -> (String) e.get("value")).findFirst().orElseThrow();
                assertThat(job.get("completions")).as(where + ": one pod per shard").isEqualTo(Integer.parseInt(shards));
                assertThat(job).as(where + ": maxFailedIndexes equal to completions does nothing").doesNotContainKey("maxFailedIndexes");
            }
            List<Map<String, Object>> volumes = list(pod, "volumes");
            assertThat(volumes).as(where + ": no PVC, the datasets go to S3").noneMatch(v -> v.containsKey("persistentVolumeClaim"));
            for (Map<String, Object> c : list(pod, "containers")) {
                assertThat(c.get("image")).as(where).isEqualTo(image);
                assertThat(c).as(where + ": the image's ENTRYPOINT runs java").doesNotContainKey("command");
                assertThat((List<String>) c.get("args")).as(where).first().isEqualTo("run");
                assertThat(String.join(" ", (List<String>) c.get("args"))).as(where).doesNotContain("sh", "-c", ";", "$");
                Map<String, Object> security = map(c, "securityContext");
                assertThat(security.get("allowPrivilegeEscalation")).as(where).isEqualTo(false);
                assertThat(security.get("readOnlyRootFilesystem")).as(where).isEqualTo(true);
                assertThat((List<String>) map(security, "capabilities").get("drop")).as(where).containsExactly("ALL");
                Map<String, Object> tmp = list(c, "volumeMounts").stream().filter(m -> "/tmp".equals(m.get("mountPath")))
                        .findFirst().orElseThrow(() -> new AssertionError(where + ": no volume at /tmp"));
                assertThat(volumes).as(where + ": /tmp is an emptyDir").anySatisfy(v -> {
                    assertThat(v.get("name")).isEqualTo(tmp.get("name"));
                    assertThat(v).containsKey("emptyDir");
                });
                for (Map<String, Object> e : list(c, "env")) {
                    String name = (String) e.get("name");
                    assertThat(reads.contains(name) || SDK_READS.contains(name)).as(where + ": the job reads " + name).isTrue();
                    if (e.containsKey("valueFrom")) {
                        Map<String, Object> ref = map(e, "valueFrom", "secretKeyRef");
                        assertThat(defined).as(where + ": its Secret is defined").contains("Secret/" + ref.get("name"));
                    }
                }
                for (String output : List.of("CENSUS_OUTPUT_DIR", "CENSUS_REPORTS_DIR")) {
                    assertThat(list(c, "env")).as(where).anySatisfy(e -> {
                        assertThat(e.get("name")).isEqualTo(output);
                        assertThat((String) e.get("value")).startsWith("s3://");
                    });
                }
                assertThat(list(c, "env")).as(where + ": TLS with the server checked").anySatisfy(e -> {
                    assertThat(e.get("name")).isEqualTo("CENSUS_DB_URL");
                    assertThat((String) e.get("value")).contains("sslmode=verify-full");
                });
                assertThat(list(c, "env")).as(where).anySatisfy(e -> assertThat(e).containsEntry("name", "CENSUS_COMPLETE_IS_SUCCESS")
                        .containsEntry("value", "true"));
            }
        }
        assertThat(pods).as("the CronJob and the Indexed Job").isEqualTo(2);
        // the placeholder password lives in a file of its own: re-applying a CronJob never resets it
        for (Map<String, Object> doc : docs) {
            if ("Secret".equals(doc.get("kind"))) {
                assertThat(doc.get("#file")).isEqualTo("secret.example.yaml");
            } else {
                assertThat(doc.get("#file")).isNotEqualTo("secret.example.yaml");
            }
        }
    }

    @Test
    void theDockerfileRunsJavaAsPid1AsANonRootUserFromSpringBootsLayers() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(from).hasSize(2).allMatch(l -> l.matches("FROM \\$\\{BASE}( AS \\w+)?"));
        assertThat(lines).contains(lines.stream().filter(l -> l.startsWith("ARG BASE=")).findFirst().orElseThrow())
                .anyMatch(l -> l.matches("ARG BASE=eclipse-temurin:17\\.0\\.\\d+_\\d+-jre"));
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertThat(dockerfile).as("the training run's leftovers go in its own RUN").contains("&& find /tmp -mindepth 1 -delete")
                .contains("org.opencontainers.image.title=\"wickr-census\"", "org.opencontainers.image.licenses=\"Apache-2.0\"");
        assertThat(lines).as("demo and the embedded defaults land in a writable directory").contains("WORKDIR /tmp");
        assertThat(Files.readAllLines(Path.of(".dockerignore")).stream().filter(l -> !l.startsWith("#")).toList())
                .as("the build context is the jar").containsExactly("*", "!target/wickr-census.jar");
        assertThat(lines).contains("COPY target/wickr-census.jar wickr-census.jar");
        assertThat(lines).anyMatch(l -> l.startsWith("RUN java -Djarmode=tools -jar wickr-census.jar extract --layers"));
        assertThat(lines).as("the AppCDS archive is made as the non-root user").anyMatch(l -> l.startsWith("RUN java -XX:ArchiveClassesAtExit="));
        assertThat(lines.stream().filter(l -> l.startsWith("COPY --from=")).map(l -> l.replaceAll(".*/extracted/([a-z-]+)/.*", "$1")))
                .as("the layers, least often changed first").containsExactly("dependencies", "spring-boot-loader",
                        "snapshot-dependencies", "application");
        String user = lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
        assertThat(lines.indexOf(user)).as("the training run is the user's").isLessThan(
                lines.indexOf(lines.stream().filter(l -> l.startsWith("RUN java -XX:ArchiveClassesAtExit=")).findFirst().orElseThrow()));
        assertThat(user).matches("USER [1-9]\\d*(:[1-9]\\d*)?");
        String entrypoint = lines.stream().filter(l -> l.startsWith("ENTRYPOINT ")).reduce((a, b) -> b).orElseThrow();
        List<String> exec = new Yaml().load(entrypoint.substring("ENTRYPOINT ".length()));
        assertThat(exec).as("exec form: java is PID 1 and gets SIGTERM").first().isEqualTo("java");
        assertThat(exec).contains("-XX:SharedArchiveFile=/app/cds/wickr-census.jsa", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError");
        assertThat(exec.subList(exec.size() - 2, exec.size())).containsExactly("-jar", "/app/wickr-census.jar");
        assertThat(Files.readString(Path.of("Dockerfile"))).contains("docker build -t registry.example.com/wickr-census:" + version() + " .");
    }
}
