package io.wickrcensus.job;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The Spring Boot application of the {@code run} command: Batch, Flyway and the snapshot job. */
@SpringBootApplication
public class CensusApplication {
}
