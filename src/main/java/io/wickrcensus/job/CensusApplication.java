package io.wickrcensus.job;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The Spring Boot application of the {@code run} command: Batch and the snapshot job (the database is migrated before it starts). */
@SpringBootApplication
public class CensusApplication {
}
