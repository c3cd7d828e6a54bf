# wickr-census container image, built from the jar Maven makes:
#   mvn -B -q -DskipTests package
#   docker build -t registry.example.com/wickr-census:0.1.0 .
#   docker push registry.example.com/wickr-census:0.1.0
# The jar is unpacked into Spring Boot's layers (dependencies change rarely, the application
# with every release), so a new release pushes and pulls only its small top layers.

FROM eclipse-temurin:17.0.15_6-jre AS layers
WORKDIR /build
COPY target/wickr-census.jar wickr-census.jar
RUN java -Djarmode=tools -jar wickr-census.jar extract --layers --destination extracted

FROM eclipse-temurin:17.0.15_6-jre
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
RUN java -XX:ArchiveClassesAtExit=/app/cds/wickr-census.jsa -Djava.io.tmpdir=/tmp -jar /app/wickr-census.jar \
        demo --users 300 --guests 30 --dir /tmp/cds-training > /tmp/cds-training.log 2>&1 \
    && rm -rf /tmp/cds-training /tmp/cds-training.log
# Any non-root UID works (Kubernetes' runAsUser may pick another); the job writes only to
# java.io.tmpdir (/tmp: the native compression libraries unpack there) and to its outputs.
# java is PID 1 (exec form, no shell), so SIGTERM reaches the job: it stops at a chunk boundary,
# marks the run resumable, gives its lease back and exits 143. C1-only compilation: measured
# faster and cheaper in CPU for runs of 100 to 1,000,000 users and for the reports (README).
ENTRYPOINT ["java", "-XX:TieredStopAtLevel=1", "-XX:SharedArchiveFile=/app/cds/wickr-census.jsa", "-XX:MaxRAMPercentage=75", "-Djava.io.tmpdir=/tmp", "-jar", "/app/wickr-census.jar"]
CMD ["--help"]
