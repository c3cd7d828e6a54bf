package io.wickrcensus.job.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExitCodesTest {

    /** From least to most telling, as the README documents for a run of several networks. */
    private static final List<Integer> ORDER = List.of(ExitCodes.OK, ExitCodes.ALREADY_COMPLETE, ExitCodes.CONCURRENT_LAUNCH,
            ExitCodes.FAILED, ExitCodes.BAD_CONFIGURATION, ExitCodes.AUTH_FAILURE);

    @Test
    void theWorstOfTwoOutcomesIsTheOneThatTellsMost() {
        for (int i = 0; i < ORDER.size(); i++) {
            for (int j = 0; j < ORDER.size(); j++) {
                int expected = ORDER.get(Math.max(i, j));
                assertThat(ExitCodes.worst(ORDER.get(i), ORDER.get(j))).as("worst(%d, %d)", ORDER.get(i), ORDER.get(j))
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void noDataOutranksSuccessAndFailure() {
        assertThat(ExitCodes.worst(ExitCodes.OK, ExitCodes.NO_DATA)).isEqualTo(ExitCodes.NO_DATA);
        assertThat(ExitCodes.worst(ExitCodes.NO_DATA, ExitCodes.FAILED)).isEqualTo(ExitCodes.NO_DATA);
        assertThat(List.of(ExitCodes.OK, ExitCodes.FAILED, ExitCodes.ALREADY_COMPLETE).stream()
                .reduce(ExitCodes.OK, ExitCodes::worst)).isEqualTo(ExitCodes.FAILED);
    }
}
