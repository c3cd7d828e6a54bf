# wickr-census container image, built from the jar Maven makes:
#   mvn -B -q -DskipTests package
#   docker build -t registry.example.com/wickr-census:0.1.0 .
#   docker push registry.example.com/wickr-census:0.1.0
# The jar is unpacked into Spring Boot's layers (dependencies change rarely, the application
# with every release), so a new release pushes and pulls only its top layers: the application
# (about 0.6 MB) and the AppCDS archive made from it (about 65 MB; it must match the jar).
#
# The base is pinned by tag. To pin it by digest too, pass the digest your registry shows
# (docker buildx imagetools inspect eclipse-temurin:17.0.15_6-jre):
#   docker build --build-arg BASE=eclipse-temurin:17.0.15_6-jre@sha256:... -t ... .
ARG BASE=eclipse-temurin:17.0.15_6-jre

FROM ${BASE} AS layers
WORKDIR /build
COPY target/wickr-census.jar wickr-census.jar
RUN java -Djarmode=tools -jar wickr-census.jar extract --layers --destination extracted

FROM ${BASE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="wickr-census" \
      org.opencontainers.image.description="Nightly, restartable snapshots of AWS Wickr networks into PostgreSQL and Parquet" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY --from=layers /build/extracted/dependencies/ ./
COPY --from=layers /build/extracted/spring-boot-loader/ ./
COPY --from=layers /build/extracted/snapshot-dependencies/ ./
COPY --from=layers /build/extracted/application/ ./
# A fast launch: an AppCDS archive of the classes a training run loads (the demo: emulator,
# embedded PostgreSQL, the job, Parquet, reports), made on this very layout, as a non-root user
# (PostgreSQL refuses to run as root). A 100-user run starts in about half the time and CPU.
RUN install -d -o 10001 -g 10001 /app/cds
USER 10001:10001
# Everything the training run left in /tmp (its demo, the embedded PostgreSQL's unpacked binaries,
# about 59 MB, the JVM's perf data) goes in the same RUN, so that no layer keeps it.
RUN java -XX:ArchiveClassesAtExit=/app/cds/wickr-census.jsa -Djava.io.tmpdir=/tmp -jar /app/wickr-census.jar \
        demo --users 300 --guests 30 --dir /tmp/cds-training > /tmp/cds-training.log 2>&1 \
    && find /tmp -mindepth 1 -delete
# Any non-root UID works (Kubernetes' runAsUser may pick another); the job writes only to
# java.io.tmpdir (/tmp: the native compression libraries unpack there) and to its outputs.
# java is PID 1 (exec form, no shell), so SIGTERM reaches the job: it stops at a chunk boundary,
# marks the run resumable, gives its lease back and exits 143. C1-only compilation: measured
# faster and cheaper in CPU for runs of 100 to 1,000,000 users and for the reports (docs/benchmarks.md).
# Out of memory, the JVM exits at once (-XX:+ExitOnOutOfMemoryError, the JVM's exit code 3) rather
# than limp on; the Kubernetes examples retry it and the next pod resumes the run. (They set
# CENSUS_COMPLETE_IS_SUCCESS, so the job's own 3, "already published", is 0 there.)
# The working directory is /tmp, writable under a read-only root: `demo` and the embedded
# database's defaults (census-demo/, census-data/) land there.
WORKDIR /tmp
ENTRYPOINT ["java", "-XX:TieredStopAtLevel=1", "-XX:SharedArchiveFile=/app/cds/wickr-census.jsa", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-jar", "/app/wickr-census.jar"]
CMD ["--help"]
